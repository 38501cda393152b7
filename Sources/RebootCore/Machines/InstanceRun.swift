import BCC
import Foundation

/// One instance of a running plan: its lifecycle as a state machine (SPEC §4, "Instance
/// states"). Every change goes through a transition method named after what happened; the
/// rules that choose between transitions live in `RebootOutcomeRule`, `ConflictPolicy`,
/// `RetryPolicy` and `InDoubtEvidence`. Instants are monotonic (`SchedulerClock.now()`), except
/// `startedAt` and `finishedAt`, which are wall times for the journal. Confined to the
/// scheduler queue.
final class InstanceRun {
    // Stored fields first, widest first, so that the object is 88 bytes (a 96-byte malloc
    // chunk, not 176): a 100,000-instance plan holds one per instance (issue 10). Counters are
    // 32-bit, the epoch 16-bit, the wall times bare seconds (NaN for none), the last status a
    // `StatusNames` code, the state and the flags share a byte, and the batch is the plan's to
    // know (`PlanRun.batch(of:)`).
    let id: String
    private(set) var lastError: String?
    private var startedSeconds = Double.nan
    private var finishedSeconds = Double.nan
    /// The call state, from the first call until the instance ends (`InstanceActivity`).
    private var activity: InstanceActivity?
    private let indexSlot: Int32
    private var attemptCount: Int32 = 0
    private var conflictCount: Int32 = 0
    private var epochCount: UInt16 = 0
    private var statusCode: UInt8 = 0
    /// The machine's phase in the low four bits, the `Flags` above them.
    private var packed: UInt8 = 0

    /// The booleans, in the bits of `packed` above the machine's phase.
    private struct Flags: OptionSet {
        let rawValue: UInt8
        static let observedNonRunning = Flags(rawValue: 1 << 4)
        static let queued = Flags(rawValue: 1 << 5)
        static let watched = Flags(rawValue: 1 << 6)
        static let inFlight = Flags(rawValue: 1 << 7)
    }
    private static let phaseMask: UInt8 = 0b1111

    private func flag(_ flag: Flags) -> Bool { packed & flag.rawValue != 0 }
    private func set(_ flag: Flags, _ on: Bool) {
        if on { packed |= flag.rawValue } else { packed &= ~flag.rawValue }
    }

    /// The lifecycle: the phase in the low four bits of `packed`, the call in flight in its top bit.
    private var machine: InstanceMachine {
        get { InstanceMachine(phase: InstanceMachine.Phase(rawValue: packed & Self.phaseMask) ?? .pending, inFlight: flag(.inFlight)) }
        set {
            packed = (packed & ~Self.phaseMask) | newValue.phase.rawValue
            set(.inFlight, newValue.inFlight)
        }
    }

    /// Moves the machine (see `InstanceMachine` for what is allowed) and bumps the epoch.
    private func move(_ event: InstanceMachine.Event) {
        machine.handle(event)
        epoch += 1
    }

    var phase: InstanceMachine.Phase { machine.phase }

    /// The state the journal holds.
    var state: InstanceState { machine.phase.state }

    /// The status the last poll read (journaled; informational).
    private(set) var lastStatus: String? {
        get { StatusNames.shared.name(statusCode) }
        set { statusCode = StatusNames.shared.code(newValue) }
    }

    /// A non-Running status was seen while rebooting (journaled).
    private(set) var observedNonRunning: Bool {
        get { flag(.observedNonRunning) }
        set { set(.observedNonRunning, newValue) }
    }
    /// A reboot call is in flight.
    var inFlight: Bool { machine.inFlight }
    // Bookkeeping of the plan's queues (PlanRun), not of the lifecycle.
    var queued: Bool {
        get { flag(.queued) }
        set { set(.queued, newValue) }
    }
    var watched: Bool {
        get { flag(.watched) }
        set { set(.watched, newValue) }
    }

    var index: Int { Int(indexSlot) }
    /// Reboot calls journaled for this instance in this plan (numbered from the attempts table).
    private(set) var attempts: Int {
        get { Int(attemptCount) }
        set { attemptCount = Int32(clamping: newValue) }
    }
    private(set) var conflicts: Int {
        get { Int(conflictCount) }
        set { conflictCount = Int32(clamping: newValue) }
    }
    /// Bumped on every change, so an answer to a poll sent before the change is ignored. Only
    /// compared for equality while a poll is in flight: 16 bits wrap after 65,536 changes.
    private(set) var epoch: Int {
        get { Int(epochCount) }
        set { epochCount = UInt16(truncatingIfNeeded: newValue) }
    }
    private(set) var startedAt: Date? {
        get { startedSeconds.isNaN ? nil : Date(timeIntervalSinceReferenceDate: startedSeconds) }
        set { startedSeconds = newValue?.timeIntervalSinceReferenceDate ?? .nan }
    }
    private(set) var finishedAt: Date? {
        get { finishedSeconds.isNaN ? nil : Date(timeIntervalSinceReferenceDate: finishedSeconds) }
        set { finishedSeconds = newValue?.timeIntervalSinceReferenceDate ?? .nan }
    }
    /// Calls that count against `retry.maxAttempts`: transient failures and in-doubt re-sends.
    var counted: Int { activity?.counted ?? 0 }
    /// Consecutive throttled answers (never counted against `retry.maxAttempts`).
    var throttles: Int { activity?.throttles ?? 0 }
    /// When the call in flight (or in doubt) was sent.
    var sentAt: Date? { activity?.sentAt }
    /// When the accepted reboot's answer arrived (or an in-doubt call was seen to take effect):
    /// only a poll sent after it may confirm `Running` (rule 4.3).
    var acceptedAt: Date? { activity?.acceptedAt }
    /// `rebootTimeout` counts from here.
    var rebootingSince: Date? { activity?.rebootingSince }
    var waitingSince: Date? { activity?.waitingSince }
    /// The evidence about a call in doubt (rule 4.8); nil when no call is in doubt.
    var inDoubt: InDoubtEvidence? { activity?.inDoubt }
    /// The journaled attempt whose outcome is not known yet.
    var openAttemptId: Int64? { activity?.openAttemptId }
    /// The next call re-sends an in-doubt call that never took effect.
    var resendNext: Bool { activity?.resendNext ?? false }
    /// Describe-many answers in a row that did not list this instance.
    var missedPolls: Int { activity?.missedPolls ?? 0 }
    private var active: InstanceActivity {
        if let activity { return activity }
        let fresh = InstanceActivity()
        activity = fresh
        return fresh
    }

    var notBefore: Date? {
        get { activity?.notBefore }
        set { if newValue != nil || activity != nil { active.notBefore = newValue } }
    }

    init(index: Int, id: String) {
        indexSlot = Int32(index)
        self.id = id
    }

    var isInDoubt: Bool { phase == .inDoubt }

    /// Whether the call state is allocated (between the first call and the end).
    var holdsCallState: Bool { activity != nil }

    // MARK: Transitions

    /// Restores what the journal holds (after a restart). `attemptsMade` comes from the attempts table.
    func restore(_ row: PlanInstanceRecord, attemptsMade: Int, countedMade: Int) {
        machine = InstanceMachine(phase: .init(restoring: InstanceState(rawValue: row.state) ?? .pending))
        attempts = max(row.attempts, attemptsMade)
        if countedMade > 0 { active.counted = countedMade }
        conflicts = row.conflicts
        lastError = row.lastError
        lastStatus = row.lastStatus
        observedNonRunning = row.observedNonRunning
        startedAt = row.startedAt.flatMap(JournalTime.parse)
        finishedAt = row.finishedAt.flatMap(JournalTime.parse)
    }

    /// After a restart: an accepted reboot is followed again from `now`.
    func resumeRebooting(now: Date) {
        active.acceptedAt = now
        active.rebootingSince = now
    }

    /// After a restart: a 409 wait goes on from `now`.
    func resumeWaiting(now: Date) { active.waitingSince = now }

    /// After a restart: an attempt without an outcome is in doubt.
    func resumeInDoubt(attemptId: Int64, evidence: InDoubtEvidence) {
        active.openAttemptId = attemptId
        active.inDoubt = evidence
        active.sentAt = evidence.sentAt
        active.effectDeadline = evidence.effectDeadline
        active.rebootingSince = evidence.sentAt
        move(.restoredInDoubt)
    }

    func batchStarted(wall: Date) { startedAt = startedAt ?? wall }

    /// Readings taken while the reboot call was unanswered (see `InstanceActivity`).
    var flightReadings: [(status: InstanceStatus, sent: Date, answered: Date)] { activity?.flightReadings ?? [] }
    var flightReadSentAt: Date? { activity?.flightReadSentAt }
    var flightReadOut: Bool { activity?.flightReadOut ?? false }

    /// A reading of the unanswered call goes out.
    func flightReadSent(at: Date) {
        active.flightReadSentAt = at
        active.flightReadOut = true
    }

    /// The reading came back: `status`, or nil when the poll failed or did not list the instance.
    func flightRead(_ status: InstanceStatus?, sent: Date, answered: Date) {
        active.flightReadOut = false
        if let status { active.flightReadings.append((status, sent, answered)) }
    }

    /// The call was answered (or its outcome is now followed as in doubt): its readings are done.
    func flightEnded() {
        guard let activity else { return }
        activity.flightReadings.removeAll()
        activity.flightReadSentAt = nil
        activity.flightReadOut = false
    }

    /// When the call in flight (or in doubt) stops being able to take effect.
    var effectDeadline: Date? { activity?.effectDeadline }
    /// Whether the accepted answer was seen by this process (see `InstanceActivity.acceptedHere`).
    var acceptedHere: Bool { activity?.acceptedHere ?? false }

    /// The reboot call was journaled and is being sent; it can take effect until `effectDeadline`.
    func sent(attemptId: Int64, now: Date, effectDeadline: Date) {
        attempts += 1
        active.sentAt = now
        active.effectDeadline = effectDeadline
        active.acceptedHere = false
        active.openAttemptId = attemptId
        active.resendNext = false
        move(.callSent)
    }

    /// A 2xx answer: the instance is rebooting (rule 4.3).
    func accepted(now: Date) {
        active.openAttemptId = nil
        active.acceptedAt = now
        active.acceptedHere = true
        active.rebootingSince = sentAt ?? now
        active.waitingSince = nil
        active.throttles = 0
        active.missedPolls = 0
        move(.callAccepted)
    }

    /// A 409 (rule 4.4): the instance waits for `Running`.
    func refused409(code: String, now: Date) {
        active.openAttemptId = nil
        conflicts += 1
        lastError = code
        active.waitingSince = waitingSince ?? now
        move(.callRefused409)
    }

    /// Any other failed answer (rule 4.5). Throttling is not counted against `retry.maxAttempts`.
    func callFailed(_ error: BCCError) {
        active.openAttemptId = nil
        lastError = error.code
        if error.kind == .throttled { active.throttles += 1 } else if error.kind == .transient { active.counted += 1 }
        move(.callFailed)
    }

    /// The call's outcome is unknown (rule 4.8): follow it by polls.
    func callInDoubt(_ error: BCCError, attemptId: Int64, evidence: InDoubtEvidence) {
        lastError = error.code
        active.openAttemptId = attemptId
        active.inDoubt = evidence
        active.rebootingSince = evidence.sentAt
        move(.callInDoubt)
    }

    /// The batch-start read found the instance not `Running`, in a status that passes by
    /// itself (SPEC §4.1): it waits, as after a 409, without a call.
    func waitForRunning(_ status: InstanceStatus, now: Date) {
        lastStatus = status.rawValue
        lastError = status.rawValue
        active.waitingSince = now
        move(.readNotRunning)
    }

    /// The batch-start read goes out: answers to polls sent before it are not it.
    func startReadSent() { epoch += 1 }

    /// Whether the last status read was `Running` (a call goes only to such an instance).
    var lastReadRunning: Bool { lastStatus == InstanceStatus.running.rawValue }

    /// The reason of an instance whose call in doubt could not be resolved (journaled while it is
    /// followed, so that a restart follows it the same way).
    static let inDoubtReason = "in-doubt"

    /// Since when a call in doubt that cannot be resolved is followed until `Running`.
    var unknowableSince: Date? { activity?.unknowableSince }

    /// The call in doubt can no longer be resolved: it is never sent again; the instance is
    /// followed until it is `Running`, then ends `failed (in-doubt)` (rule 4.8).
    func inDoubtUnknowable(now: Date) {
        active.inDoubt = nil
        active.openAttemptId = nil
        lastError = Self.inDoubtReason
        active.unknowableSince = now
        move(.inDoubtUnknowable)
    }

    /// A poll read `status` (for the record; the rules decide what it means).
    func polled(_ status: InstanceStatus) {
        lastStatus = status.rawValue
        active.missedPolls = 0
        // Rebooting as journaled: a call in doubt or one that cannot be resolved too.
        if state == .rebooting && !status.isRunning { observedNonRunning = true }
    }

    /// The in-doubt evidence took one more reading; returns its verdict.
    func inDoubtReading(_ status: InstanceStatus, sent: Date, answered: Date) -> InDoubtEvidence.Verdict {
        guard var evidence = inDoubt else { return .undecided }
        let verdict = evidence.reading(status, sent: sent, answered: answered)
        active.inDoubt = evidence
        return verdict
    }

    /// The in-doubt call took effect: the instance is rebooting; a poll sent from now on may confirm it.
    func inDoubtApplied(now: Date) {
        active.inDoubt = nil
        active.openAttemptId = nil
        observedNonRunning = true
        active.acceptedAt = now
        move(.inDoubtApplied)
    }

    /// The in-doubt call never took effect: the instance is pending again, for a re-send that
    /// counts against `retry.maxAttempts`.
    func inDoubtNotApplied() {
        active.inDoubt = nil
        active.openAttemptId = nil
        active.counted += 1
        active.resendNext = true
        move(.inDoubtNotApplied)
    }

    /// An id missing from a describe-many answer: no evidence. Returns the misses in a row.
    func missedPoll() -> Int {
        active.missedPolls += 1
        return active.missedPolls
    }

    /// The account pause lasted `seconds`: no deadline ran meanwhile.
    func shiftDeadlines(by seconds: TimeInterval) {
        guard let activity else { return }
        activity.acceptedAt = activity.acceptedAt.map { $0 + seconds }
        activity.rebootingSince = activity.rebootingSince.map { $0 + seconds }
        activity.waitingSince = activity.waitingSince.map { $0 + seconds }
        activity.unknowableSince = activity.unknowableSince.map { $0 + seconds }
    }

    /// The instance ends (a terminal transition the machine checks against where it is).
    func finish(_ end: InstanceEnd, wall: Date) {
        move(end.event)
        finishedAt = wall
        activity = nil  // the call state ends with the instance
        if let reason = end.reason { lastError = reason }
    }

    /// `finish`, by the terminal state (a halt's and a cancel's leftovers take `.left`).
    func finish(_ end: InstanceState, reason: String?, wall: Date) {
        switch end {
        case .rebooted: finish(.rebooted, wall: wall)
        case .failed: finish(.failed(reason ?? lastError ?? "failed"), wall: wall)
        case .skipped: finish(.skipped(reason ?? lastError ?? "skipped"), wall: wall)
        case .cancelled: finish(.left(.cancel, reason ?? PlanStop.cancel.leftReason), wall: wall)
        case .pending, .waiting, .rebooting: preconditionFailure("instance: \(end) is not an end")
        }
    }

    func record(planId: String, batch: Int, wall: Date) -> PlanInstanceRecord {
        PlanInstanceRecord(
            planId: planId, idx: index, instanceId: id, batch: batch, state: state.rawValue, attempts: attempts,
            conflicts: conflicts, lastError: lastError, lastStatus: lastStatus, observedNonRunning: observedNonRunning,
            startedAt: startedAt.map(JournalTime.format), finishedAt: finishedAt.map(JournalTime.format),
            updatedAt: JournalTime.format(wall))
    }
}
