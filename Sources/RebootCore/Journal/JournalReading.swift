import Foundation

/// What the daemon, the scheduler, the spool and `rebootctl` read from a journal (SPEC §5):
/// plans and their instances, attempts, events, controls and the daemon's own state. Reads see
/// what has been committed, not writes still queued for `flush()`.
public protocol JournalReading: AnyObject, Sendable {
    // MARK: Plans

    /// Every plan, oldest id first.
    func plans() throws -> [PlanRecord]
    /// How many plans are in each state (state → count), without loading any plan.
    func planCountsByState() throws -> [String: Int]
    /// The plan with this id, if any.
    func plan(id: String) throws -> PlanRecord?
    /// A plan's record without its parameters (`parameters` is empty): what a status line needs.
    func planHead(id: String) throws -> PlanRecord?
    /// The plans not in a terminal state, oldest id first.
    func activePlans() throws -> [PlanRecord]
    /// The active plans with empty `parameters`, oldest id first.
    func activePlanHeads() throws -> [PlanRecord]
    /// A plan's parameters, decoded; nil when the journal has no such plan.
    func decodedPlan(id: String) throws -> Plan?
    /// SHA-256 of every active plan → that plan's id.
    func activeHashes() throws -> [String: String]
    /// Which batch of the plan ended last, and when on the boot clock; nil before any.
    func batchDone(planId: String) throws -> (batch: Int, boot: BootStamp)?

    // MARK: Instances

    /// A plan's instance rows, in index order.
    func instances(planId: String) throws -> [PlanInstanceRecord]
    /// Calls `body` with a plan's instance rows in index order, a bounded chunk at a time.
    func forEachInstanceChunk(planId: String, _ body: ([PlanInstanceRecord]) throws -> Void) throws
    /// Instance counts by state, per plan (plan id → state → count).
    func instanceCounts() throws -> [String: [String: Int]]
    /// One plan's instances by state (`rebootctl watch` asks twice a second: it reads no other plan).
    func instanceCounts(planId: String) throws -> [String: Int]
    /// Each instance's zone where known, by instance id (SPEC §2's `zones`).
    func instanceZones(planId: String) throws -> [String: String]
    /// The zone of batch `batch` (0-based) where known: the first journaled zone of its instances.
    func batchZone(planId: String, batch: Int) throws -> String?

    // MARK: Attempts

    /// A plan's attempts, in the order they were begun.
    func attempts(planId: String) throws -> [AttemptRecord]
    /// An instance's attempts across every plan, in the order they were begun.
    func attempts(instanceId: String) throws -> [AttemptRecord]
    /// The highest attempt number per instance of a plan.
    func attemptNumbers(planId: String) throws -> [String: Int]
    /// Calls per instance of a plan that count against `retry.maxAttempts` (outcomes
    /// `transient` and `not-applied`).
    func countedAttempts(planId: String) throws -> [String: Int]
    /// Attempts of a plan with no outcome, or whose outcome is `in-doubt`, in order.
    func openAttempts(planId: String) throws -> [AttemptRecord]

    // MARK: Events and controls

    /// A plan's events, in the order they were added.
    func events(planId: String) throws -> [PlanEventRecord]
    /// The controls journaled for a plan id (or for `all`), in the order they were added.
    func controls(planId: String) throws -> [ControlRecord]

    // MARK: Daemon state and intake

    /// The account pause in force, if any.
    func accountPause() throws -> AccountPauseRecord?
    /// The spool file taken in with this key, if any.
    func intake(_ key: IntakeKey) throws -> IntakeRecord?
    /// Files taken in that have not left `incoming/` yet, in the order they were taken in.
    func pendingIntakes() throws -> [IntakeRecord]
    /// How long reading this content stalled intake before, if it ever did.
    func intakeStall(sha256: String) throws -> TimeInterval?
}
