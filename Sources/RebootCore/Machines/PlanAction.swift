import Foundation

/// What the scheduler does after a plan step (`PlanMachine.step`): the machine decides, the
/// scheduler performs (journal, notifications, queues, timers).
enum PlanAction: Sendable, Equatable {
    /// Journal and log a state change.
    case enter(PlanTransition)
    /// Wake the plan at this time (nil: nothing to wait for).
    case wake(at: Date?)
    /// The wait for the health gates is over (the plan may not check them now).
    case dropGateWait
    /// The batch's last instance ended: journal `batch-done`, notify with `state`, the plan's
    /// state while the batch ran (the step may have moved it on since).
    case batchFinished(Int, state: PlanState)
    /// Rule 4.6: the failure budget is exceeded; journal the halt, leave what waits for a
    /// call, notify with `state`, the plan's state when it halted.
    case halt(state: PlanState)
    /// The plan ends: journal and notify, free its slot.
    case finish(PlanTransition)
    /// Batch `b` may start once its health gates pass (SPEC §4.14).
    case startBatch(Int)
    /// `zones: one-at-a-time`: the zone just done still has an instance that did not come back
    /// Running; the plan halts with `reason` before the next zone (journal, sweep, notify).
    case haltForZone(reason: String, state: PlanState)
    /// A checkpoint paused the plan after a batch (SPEC §2): journal the transition, notify
    /// `plan-paused` with cause `checkpoint`.
    case checkpoint(PlanTransition)
    /// The plan's waiting reason changed without a change of state (journal it for `status`).
    case reason(String)
    /// The window opened again inside a batch after `closedFor` seconds (SPEC §4.1): what
    /// waited for a call is read again, and the wait does not count against its deadlines.
    case windowReopened(closedFor: TimeInterval)
}
