import BCC
import Dispatch
import Foundation
import Logging

/// Runs reboot plans (SPEC §4). All scheduling state lives on one serial queue; one timer on
/// that queue wakes it for pacing, polls, pauses and timeouts. Every BCC call passes the one
/// `RateLimiter`. The cloud is reached only through `CloudAPI`.
public final class Scheduler: @unchecked Sendable {
    public let queue = DispatchQueue(label: "rebootd.scheduler")
    let clock: SchedulerClock
    let apiForRegion: @Sendable (String?) -> CloudAPI
    let journal: any JournalStore
    var settings: SchedulerSettings
    var limiter: RateLimiter
    var logger: Logger
    let random: @Sendable () -> Double
    public weak var observer: SchedulerObserver?
    /// Receives plan events for the notify targets (SPEC §4.15); set before `start`. It must
    /// only queue them: it is called on the scheduler queue.
    public var notify: (@Sendable (PlanNotification) -> Void)?
    /// Called on the queue at the end of every pump (the daemon's status line looks then);
    /// set on the queue.
    var afterPump: (() -> Void)?
    /// Checks health gates (SPEC §4.14); nil blocks every gate with that reason.
    let gateChecker: GateChecking?

    var plans: [PlanRun] = []
    var planById: [String: PlanRun] = [:]
    /// Which plan holds each instance it calls or follows (rule 4.7).
    var claims = InstanceClaims()
    var timer: SchedulerTimer?
    var pumpScheduled = false
    /// When the timer is armed for; re-arming a dispatch timer is costly, so it is only moved
    /// earlier while that time is still ahead (see `arm`).
    var armedAt: Date? { didSet { refreshAnswerHold() } }
    var lastPump = Date.distantPast
    /// Answers arriving within this interval of the last pump share the next one (fewer
    /// journal transactions at high rates).
    let pumpCoalescing: TimeInterval = 0.002
    var queuedDirty = true
    var roundRobin = 0
    /// Rule 4.5: an account error pauses every plan, those activated later too, until `resume --all`.
    var accountPause: AccountPause?
    /// Rule 4.8: after a restart, no reboot call for any plan until every instance whose
    /// attempt had no outcome has had a poll answered ("planId#index").
    var restartHold: Set<String> = []
    var stopping = false
    /// Later pages of describe-many answers, each waiting for a rate-limiter token (SPEC §4.2);
    /// the call they belong to keeps its flight slot meanwhile.
    var pageWaits: [@Sendable () -> Void] = []
    /// Error codes already logged, for those logged once per run.
    var loggedOnce: Set<String> = []
    /// The shortest reboot confirmed so far, all plans together, from its accepted answer to the
    /// poll that read Running (rule 4.8 uses it when shorter than `minRebootTime`).
    var shortestRebootSeen: TimeInterval?
    /// Set between `start(holdingCalls: true)` and `releaseCalls()`: a pump decides and sends nothing.
    var callsHeld = false
    /// The last commit failed: the pump only tries to commit again (see `flushJournal`).
    var journalFailing = false
    /// Gate rounds started since start: numbers every round, so no answer is taken for another's.
    var gateRounds = 0
    /// Plans ended since start (see `SchedulerSnapshot.planEndings`).
    var planEndings = 0
    var shutdownCompletion: (@Sendable (Bool) -> Void)?
    var shutdownTimer: SchedulerTimer?
    /// Where answers wait for the queue (see `deliver`).
    let mailbox: AnswerMailbox

    public init(
        journal: any JournalStore, settings: SchedulerSettings, clock: SchedulerClock = SystemClock(),
        logger: Logger = Logger(label: "rebootd.scheduler"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        gates: GateChecking? = nil,
        api: @escaping @Sendable (String?) -> CloudAPI
    ) {
        self.gateChecker = gates
        self.journal = journal
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.random = random
        self.apiForRegion = api
        mailbox = AnswerMailbox(queue: queue, now: { [clock] in clock.now() })
        limiter = RateLimiter(
            requestsPerSecond: settings.requestsPerSecond, burst: settings.burst,
            maxInFlight: settings.maxConcurrentRequests, now: clock.now())
    }

    /// The wall clock, for journal timestamps only (SPEC §4.13).
    var wall: Date { clock.wallNow() }

    /// Resumes every unfinished plan from the journal and starts working. With `holdingCalls`
    /// it loads the plans but makes no call of any kind until `releaseCalls()`: the daemon
    /// applies the control files waiting at start in between (SPEC §4.10), so a cancel written
    /// while it was down stops the plan before its first call.
    public func start(holdingCalls: Bool = false) throws {
        try queue.sync {
            callsHeld = holdingCalls
            timer = clock.makeTimer(queue: queue) { [weak self] in
                self?.armedAt = nil
                self?.pump()
            }
            try resumeFromJournal(now: clock.now())
            pump()
        }
    }

    /// Ends the hold of `start(holdingCalls: true)` and starts working.
    public func releaseCalls() {
        queue.sync {
            guard callsHeld else { return }
            callsHeld = false
            pump()
        }
    }

    // MARK: Submission and controls

    /// Journals a validated plan as queued. Refuses content that is already active. The record
    /// returned has an empty `parameters` (the journal holds them).
    public func submit(_ file: PlanFile) -> Result<PlanRecord, ValidationError> {
        switch queue.sync(execute: { submitOnQueue(file) }) {
        case .accepted(let record): return .success(record)
        case .rejected(let error): return .failure(error)
        case .journalUnavailable(let message):
            return .failure(ValidationError(file: file.fileName, problems: [ValidationProblem(path: "", message: "journal error: \(message)")]))
        }
    }

    /// Submits a plan taken in from the spool: the plan and its file's `intake` key are journaled
    /// together, so the file is never submitted again. A journal that cannot be written is not
    /// the file's fault: `.journalUnavailable`, and the file is tried again later (SPEC §3).
    public func submit(_ file: PlanFile, intake: IntakeKey?) -> SubmitOutcome {
        queue.sync { submitOnQueue(file, intake: intake) }
    }

    /// Applies `pause`, `resume` or `cancel` to a plan (or `resume` to `all`), journals it with
    /// who asked, and commits before returning: a control file is removed only after this
    /// returned (SPEC §3, §4.10). Throws when the journal cannot be written; the control then
    /// stays in effect in memory and its file stays, to be applied (idempotently) again.
    @discardableResult
    public func control(planId: String, verb: String, requestedBy owner: FileOwner, requestedAt: Date) throws -> String {
        try queue.sync {
            let now = clock.now()
            let result = applyControl(planId: planId, verb: verb, now: now)
            journal.addControl(
                ControlRecord(
                    id: nil, planId: planId, verb: verb, requestedByUid: Int(owner.uid), requestedBy: owner.name,
                    requestedAt: JournalTime.format(requestedAt), appliedAt: JournalTime.format(wall), result: result))
            logger.notice("control \(verb): \(result)", metadata: ["plan": "\(planId)", "user": "\(owner.name)"])
            try journal.flush()
            schedulePumpOnQueue()
            return result
        }
    }

    /// Live-applies new tunables (config reload): the limiter is reconfigured in place.
    public func reconfigure(_ new: SchedulerSettings) { queue.sync { reconfigureOnQueue(new) } }

    /// `reconfigure`, for callers already on the scheduler queue.
    public func reconfigureOnQueue(_ new: SchedulerSettings) {
        dispatchPrecondition(condition: .onQueue(queue))
        settings = new
        limiter.reconfigure(
            requestsPerSecond: new.requestsPerSecond, burst: new.burst,
            maxInFlight: new.maxConcurrentRequests, now: clock.now())
        queuedDirty = true
        schedulePumpOnQueue()
    }

    public func setLogLevel(_ level: Logger.Level) { queue.sync { setLogLevelOnQueue(level) } }

    public func setLogLevelOnQueue(_ level: Logger.Level) {
        dispatchPrecondition(condition: .onQueue(queue))
        logger.logLevel = level
    }

    /// Stops starting calls, waits for calls in flight (at most `grace`), commits, then calls
    /// `completion` (on the scheduler queue) with whether the final commit succeeded.
    public func stop(grace: TimeInterval, completion: @escaping @Sendable (Bool) -> Void) {
        queue.async { [self] in
            stopping = true
            timer?.cancel()
            armedAt = nil
            shutdownCompletion = completion
            let deadline = clock.now() + grace
            shutdownTimer = clock.makeTimer(queue: queue) { [weak self] in self?.finishShutdown() }
            shutdownTimer?.schedule(at: deadline)
            // No timer comes now: the answers that were waiting for it are handled here.
            if runHeldAnswers() { schedulePumpOnQueue() }
            checkShutdown()
        }
    }

    public func snapshot() -> SchedulerSnapshot { queue.sync { snapshotOnQueue() } }

    /// Waits until every hop queued so far (and those they queue) has run, and every held
    /// answer has been handled. For tests.
    public func drain() {
        while true {
            queue.sync { if runHeldAnswers() { schedulePumpOnQueue() } }
            if mailbox.isIdle { return }
            usleep(200)
        }
    }

    // MARK: Queue plumbing

    /// Runs `work` on the queue later, counted for `drain()`.
    func hop(_ work: @escaping @Sendable () -> Void) { mailbox.hop(work) }

    /// Runs an answer's handling on the queue (`AnswerMailbox`). A `holdable` answer (a reboot
    /// call's) waits instead for the pump the timer runs soon (see `refreshAnswerHold`): a call
    /// group's answers then cost no wake of their own (issue 10). A poll's answer is never
    /// held: it is what ends a batch.
    func deliver(holdable: Bool = false, _ work: @escaping @Sendable () -> Void) { mailbox.deliver(holdable: holdable, work) }

    /// Lets `deliver` hold answers until the timer fires, when it is armed at most a call
    /// group's spacing (`callGrouping`) ahead and a call slot is free. A pump then handles them
    /// before it sends anything (`runHeldAnswers`), so an answer's effect (a pause, a throttle,
    /// a freed slot) comes before the next call, as it would have at once. Nothing is held
    /// while every slot is taken (an answer's freed slot lets the next call go), nor where a
    /// group is capped by half the burst: there the pump runs every few milliseconds, answers
    /// already share wakes, and holding them left the event loop idle until the timer.
    func refreshAnswerHold() {
        let now = clock.now()
        let paced = limiter.currentRate * settings.callGrouping <= limiter.bucket.capacity / 2
        mailbox.hold(
            until: armedAt.flatMap { at in
                !stopping && paced && at.timeIntervalSince(now) <= settings.callGrouping && limiter.inFlight < limiter.maxInFlight ? at : nil
            })
    }

    /// Handles the answers `deliver` held, without a pump each: the caller runs or schedules
    /// the one they share. Returns whether there were any.
    @discardableResult
    func runHeldAnswers() -> Bool {
        let held = mailbox.takeHeld()
        guard !held.isEmpty else { return false }
        let scheduled = pumpScheduled
        pumpScheduled = true
        for answer in held { answer() }
        pumpScheduled = scheduled
        mailbox.ran(held.count)
        return true
    }

    func schedulePumpOnQueue() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !pumpScheduled else { return }
        let now = clock.now()
        if now.timeIntervalSince(lastPump) < pumpCoalescing {
            let shared = lastPump + pumpCoalescing
            // The timer already fires within the window: that pump serves this answer too.
            if let armed = armedAt, armed > now, armed <= shared { return }
            // Moving the timer costs a wake of libdispatch's timer thread, and its firing
            // another: worth it only when more answers are due within the window (issue 10).
            if limiter.currentRate * pumpCoalescing >= 1 {
                arm(shared, now: now)
                return
            }
        }
        pumpScheduled = true
        hop { [weak self] in self?.pump() }
    }

    /// Arms the timer for `date` unless it is already armed for an earlier, still future, time.
    /// A time already past is armed a millisecond ahead: the pump that arms it has just run,
    /// so firing again at once could only spin.
    func arm(_ date: Date, now: Date) {
        let at = max(date, now + 0.001)
        if let armed = armedAt, armed <= at, armed > now { return }
        armedAt = at
        timer?.schedule(at: at)
    }

    /// Commits what was decided. While commits fail (a full disk), `journalFailing` holds the
    /// pump: nothing more is decided until one works again (issue 23 #9).
    func flushJournal() {
        do {
            try journal.flush()
            if journalFailing {
                journalFailing = false
                logger.notice("journal writes work again; scheduling goes on")
            }
        } catch {
            if !journalFailing {
                logger.error("journal write failed: \(error); no poll, batch or call until a commit works again (trying each second)")
            }
            journalFailing = true
        }
    }

    func checkShutdown() {
        guard stopping, shutdownCompletion != nil else { return }
        if plans.allSatisfy({ $0.inFlightCalls == 0 && $0.pollsInFlight == 0 }) { finishShutdown() }
    }

    func finishShutdown() {
        guard let completion = shutdownCompletion else { return }
        shutdownCompletion = nil
        shutdownTimer?.cancel()
        do {
            try journal.flush()
            completion(true)
        } catch {
            logger.error("the final journal commit failed; what happened since the last commit is lost: \(error)")
            completion(false)
        }
    }

    func snapshotOnQueue() -> SchedulerSnapshot {
        let now = clock.now()
        return SchedulerSnapshot(
            plans: plans.map {
                .init(
                    id: $0.id, state: $0.state, currentBatch: $0.currentBatch,
                    batchCount: $0.batches.count, counts: $0.counts)
            },
            rateLimitTokens: limiter.tokens(now: now), currentRate: limiter.currentRate, inFlight: limiter.inFlight,
            planEndings: planEndings)
    }
}
