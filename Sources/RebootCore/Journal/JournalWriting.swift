import Foundation

/// What the daemon, the scheduler and the spool write to a journal (SPEC §5). Plans, attempts
/// and intake bookkeeping commit at once; the other writes are queued and committed together,
/// in order, in one transaction, by the next `flush()` (or the next plan insert or attempt
/// begin, which commit the queue first). A failed commit keeps the queue for the next one.
public protocol JournalWriting: AnyObject, Sendable {
    // MARK: Committed at once

    /// Commits the queued writes, then the plan, its instances, its first event and, when
    /// given, the spool file it came from (as taken in, still to be moved), in one transaction.
    func insertPlan(
        _ plan: PlanRecord, instances: some Sequence<PlanInstanceRecord>, event: PlanEventRecord,
        intake: (key: IntakeKey, fileName: String, at: Date)?) throws
    /// Commits the queued writes and then the new attempts, before their calls are sent.
    /// Returns the attempts' ids, in order.
    func beginAttempts(_ attempts: [AttemptRecord]) throws -> [Int64]
    /// `beginAttempts` on a journal shared under a lease (SPEC §4.16): also returns how many
    /// seconds from this call's start the calls may still be sent (`.infinity` where no lease
    /// applies). Throws when this host may send no call; nothing is journaled then.
    func beginLeasedAttempts(_ attempts: [AttemptRecord]) throws -> (ids: [Int64], sendWithin: TimeInterval)
    /// Records that the spool file has left `incoming/`.
    func markIntakeMoved(_ key: IntakeKey, at: Date) throws
    /// Records (or updates) that reading this content stalled intake for `seconds`.
    func recordIntakeStall(sha256: String, fileName: String, seconds: TimeInterval, at: Date) throws
    /// Forgets a stall: the file was finished after all.
    func clearIntakeStall(sha256: String) throws

    // MARK: Queued for the next flush

    /// Updates the instance's row (everything but its plan, index, id and batch); committing
    /// it fails if the row does not exist.
    func save(instance: PlanInstanceRecord)
    /// Records an attempt's outcome.
    func finishAttempt(id: Int64, at: Date, httpStatus: Int?, errorCode: String?, message: String?, requestId: String?, outcome: String)
    /// Sets an in-doubt attempt's outcome once learnt (`applied` or `not-applied`).
    func resolveAttempt(id: Int64, outcome: String)
    /// Updates a plan's state and batch; stamps `finishedAt` when `finished`; a nil `reason`
    /// keeps the one recorded.
    func updatePlan(id: String, state: String, currentBatch: Int, at: Date, finished: Bool, reason: String?)
    /// Records a halt or a cancel (`stopRequest`), with its `halted` or `cancel` event.
    func setStop(planId: String, stop: PlanStop, at: Date, detail: String)
    /// Sets the `pending` instances of a plan to `cancelled` (a plan cancelled before it started).
    func cancelPendingInstances(planId: String, at: Date)
    /// Adds an event to a plan.
    func addEvent(planId: String, at: Date, kind: String, detail: String)
    /// Adds an operator's control command and its result.
    func addControl(_ control: ControlRecord)
    /// Sets the account pause, unless one is already in force (the first one's start is kept).
    func setAccountPause(code: String, message: String, at: Date)
    /// Ends the account pause.
    func clearAccountPause()
    /// Records the boot-clock instant at which batch `batch` (0-based) of the plan ended.
    func setBatchDone(planId: String, batch: Int, boot: BootStamp)
    /// Queues what a plan learned when it started (its selected ids, their zones): its
    /// parameters, its instance rows and a `selected` event (SPEC §2, issue 26).
    func resolvePlan(id: String, plan: Plan, at: Date, detail: String) throws

    // MARK: Commit

    /// Commits every queued write in one transaction; on failure they stay queued, in order.
    func flush() throws
    /// Whether writes are queued that have not been committed yet.
    var hasPendingWrites: Bool { get }
}

extension JournalWriting {
    /// One host's journal: no lease, no send deadline.
    public func beginLeasedAttempts(_ attempts: [AttemptRecord]) throws -> (ids: [Int64], sendWithin: TimeInterval) {
        (try beginAttempts(attempts), .infinity)
    }

    /// Inserts a plan that did not come from a spool file.
    public func insertPlan(_ plan: PlanRecord, instances: some Sequence<PlanInstanceRecord>, event: PlanEventRecord) throws {
        try insertPlan(plan, instances: instances, event: event, intake: nil)
    }
}
