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
    /// Sends health gate checks (SPEC §4.14).
    var gateRunner: GateRunner

    var plans: [PlanRun] = []
    var planById: [String: PlanRun] = [:]
    /// Which plan holds each instance it calls or follows (rule 4.7).
    var claims = InstanceClaims()
    /// When the pump runs: the timer, hops, answers that share a pump.
    let trigger: PumpTrigger
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
    /// Queued plans learning their ids or zones before they start (SPEC §2), by id.
    var resolutions: [String: PlanResolution] = [:]
    var resolutionsStarted = 0
    /// Plans ended since start (see `SchedulerSnapshot.planEndings`).
    var planEndings = 0
    /// The database's clock as the lease grant read it (SPEC §4.16): a leader that took over
    /// measures the old epoch's attempts with it. Given to `start`; queue only.
    var databaseClock: DatabaseClockReading?
    /// Controls from the shared journal applied by this process (`Scheduler+Shared`).
    var appliedControls: Set<Int64> = []
    var shutdownCompletion: (@Sendable (Bool) -> Void)?
    var shutdownTimer: SchedulerTimer?

    public init(
        journal: any JournalStore, settings: SchedulerSettings, clock: SchedulerClock = SystemClock(),
        logger: Logger = Logger(label: "rebootd.scheduler"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        gates: GateChecking? = nil,
        api: @escaping @Sendable (String?) -> CloudAPI
    ) {
        self.gateRunner = GateRunner(checker: gates)
        self.journal = journal
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.random = random
        self.apiForRegion = api
        trigger = PumpTrigger(queue: queue, now: { [clock] in clock.now() })
        limiter = RateLimiter(
            requestsPerSecond: settings.requestsPerSecond, burst: settings.burst,
            maxInFlight: settings.maxConcurrentRequests, now: clock.now())
    }

    /// The wall clock, for journal timestamps only (SPEC §4.13).
    var wall: Date { clock.wallNow() }

    /// The journal's and the log's record of what the plans do.
    var recorder: PlanRecorder { PlanRecorder(journal: journal, logger: logger, wall: { [clock] in clock.wallNow() }) }

    /// The plans the journal holds that are not running.
    var stored: StoredPlans { StoredPlans(journal: journal, logger: logger, events: events, wall: { [clock] in clock.wallNow() }) }

    /// Plan events for the notify targets (`notify`).
    var events: PlanEvents { PlanEvents(post: notify, wall: { [clock] in clock.wallNow() }) }

    /// Resumes every unfinished plan from the journal and starts working. With `holdingCalls`
    /// it loads the plans but makes no call of any kind until `releaseCalls()`: the daemon
    /// applies the control files waiting at start in between (SPEC §4.10), so a cancel written
    /// while it was down stops the plan before its first call.
    public func start(holdingCalls: Bool = false, databaseClock: DatabaseClockReading? = nil) throws {
        try queue.sync {
            callsHeld = holdingCalls
            self.databaseClock = databaseClock
            trigger.holdPolicy = { [weak self] at, now in self?.answerHold(armedAt: at, now: now) }
            trigger.start(clock: clock) { [weak self] in self?.pump() }
            try resumeFromJournal(now: clock.now())
            pump()
        }
    }

    /// Holds every pump until `start` and `releaseCalls`: a standby (SPEC §4.16) journals the
    /// plans its spool takes in, and starts none.
    public func holdCalls() { queue.sync { callsHeld = true } }

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
            stored.recordControl(planId: planId, verb: verb, requestedBy: owner, requestedAt: requestedAt, result: result)
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
            if stopping, let earlier = shutdownCompletion {
                // Stopped twice (a lost lease, then SIGTERM): both are told, at the first's end.
                shutdownCompletion = {
                    earlier($0)
                    completion($0)
                }
                return
            }
            stopping = true
            trigger.stopTimer()
            shutdownCompletion = completion
            let deadline = clock.now() + grace
            shutdownTimer = clock.makeTimer(queue: queue) { [weak self] in self?.finishShutdown() }
            shutdownTimer?.schedule(at: deadline)
            // No timer comes now: the answers that were waiting for it are handled here.
            if trigger.runHeld() { schedulePumpOnQueue() }
            checkShutdown()
        }
    }

    public func snapshot() -> SchedulerSnapshot { queue.sync { snapshotOnQueue() } }

    /// Waits until every hop queued so far (and those they queue) has run, and every held
    /// answer has been handled. For tests.
    public func drain() {
        while true {
            queue.sync { if trigger.runHeld() { schedulePumpOnQueue() } }
            if trigger.mailbox.isIdle { return }
            usleep(200)
        }
    }

    // MARK: Queue plumbing

    /// Runs an answer's handling on the queue (`AnswerMailbox`). A `holdable` answer (a reboot
    /// call's) may wait instead for the pump the timer runs soon (`answerHold`): a call group's
    /// answers then cost no wake of their own (issue 10). A poll's answer is never held: it is
    /// what ends a batch.
    func deliver(holdable: Bool = false, _ work: @escaping @Sendable () -> Void) { trigger.mailbox.deliver(holdable: holdable, work) }

    /// Until when answers may wait for the timer armed for `at`: when it fires at most a call
    /// group's spacing (`callGrouping`) ahead and a call slot is free. A pump then handles them
    /// before it sends anything, so an answer's effect (a pause, a throttle, a freed slot) comes
    /// before the next call, as it would have at once. Nothing is held while every slot is
    /// taken (an answer's freed slot lets the next call go), nor where a group is capped by
    /// half the burst: there the pump runs every few milliseconds, answers already share
    /// wakes, and holding them left the event loop idle until the timer.
    func answerHold(armedAt at: Date, now: Date) -> Date? {
        let paced = limiter.currentRate * settings.callGrouping <= limiter.bucket.capacity / 2
        return !stopping && paced && at.timeIntervalSince(now) <= settings.callGrouping && limiter.inFlight < limiter.maxInFlight ? at : nil
    }

    func schedulePumpOnQueue() {
        dispatchPrecondition(condition: .onQueue(queue))
        trigger.request(rate: limiter.currentRate) { [weak self] in self?.pump() }
    }

    func arm(_ date: Date, now: Date) { trigger.arm(date, now: now) }

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
