import Foundation

/// One instance of a running plan, as the scheduler tracks it. Confined to the scheduler queue.
final class InstanceRun {
    let index: Int
    let id: String
    let batch: Int
    var state: InstanceState = .pending
    /// Reboot calls sent (journaled) for this instance in this plan.
    var attempts = 0
    var conflicts = 0
    /// Consecutive throttled/transient failures of reboot calls.
    var retries = 0
    var lastError: String?
    var lastStatus: String?
    var observedNonRunning = false
    var startedAt: Date?
    var finishedAt: Date?

    // Runtime only.
    var inFlight = false
    var queued = false
    var notBefore: Date?
    /// When the accepted reboot's answer arrived; a poll sent after it may confirm Running.
    var acceptedAt: Date?
    var waitingSince: Date?
    /// In doubt since (the timeout, or the restart); grace counts from here.
    var inDoubtSince: Date?
    var openAttemptId: Int64?
    var resendNext = false
    /// Bumped on every change, so an answer to a poll sent before the change is ignored.
    var epoch = 0
    var watched = false

    init(index: Int, id: String, batch: Int) {
        self.index = index
        self.id = id
        self.batch = batch
    }

    var isInDoubt: Bool { inDoubtSince != nil }

    func record(planId: String, now: Date) -> PlanInstanceRecord {
        PlanInstanceRecord(
            planId: planId, idx: index, instanceId: id, batch: batch, state: state.rawValue, attempts: attempts,
            conflicts: conflicts, lastError: lastError, lastStatus: lastStatus, observedNonRunning: observedNonRunning,
            startedAt: startedAt.map(JournalTime.format), finishedAt: finishedAt.map(JournalTime.format),
            updatedAt: JournalTime.format(now))
    }
}
