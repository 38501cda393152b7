import Foundation

/// Builds the plan events for the `notify` targets (SPEC §4.15), from a running plan or from
/// its journal record, and hands them to `post`, which only queues them: delivery never delays
/// scheduling. Made by the scheduler on its queue, for each event.
struct PlanEvents {
    let post: (@Sendable (PlanNotification) -> Void)?
    /// The wall clock (SPEC §4.13): an event's time is a journal time.
    let wall: () -> Date
    /// The sender every event names (SPEC §4.15).
    let host = HostName.current

    func emit(
        _ event: PlanNotification.Event, _ run: PlanRun, batch: Int? = nil, reason: String? = nil,
        cause: PlanNotification.Cause? = nil, state: PlanState? = nil
    ) {
        guard let post else { return }
        var counts: [String: Int] = [:]
        for (state, n) in run.counts { counts[state.rawValue] = n }
        post(
            PlanNotification(
                event: event, planId: run.id, planName: run.plan.name, state: (state ?? run.state).rawValue, batch: batch,
                batchCount: run.batches.count, counts: counts, instances: run.instances.count,
                reason: reason, cause: cause, ticket: run.plan.ticket, time: JournalTime.format(wall()), host: host))
    }

    /// An event of a plan that is not running (queued, or failed before it ran): all its
    /// instances are in `instancesIn`.
    func emitStored(
        _ event: PlanNotification.Event, _ record: PlanRecord, state: PlanState, instancesIn: InstanceState,
        reason: String?, cause: PlanNotification.Cause? = nil
    ) {
        guard let post else { return }
        post(
            PlanNotification(
                event: event, planId: record.id, planName: record.name, state: state.rawValue, batchCount: record.batchCount,
                counts: [instancesIn.rawValue: record.instanceCount], instances: record.instanceCount,
                reason: reason, cause: cause, ticket: record.ticket, time: JournalTime.format(wall()), host: host))
    }

    /// `plan-accepted`, for a plan just journaled (it has no `PlanRun` yet).
    func emitAccepted(_ record: PlanRecord, plan: Plan) {
        guard let post else { return }
        post(
            PlanNotification(
                event: .planAccepted, planId: record.id, planName: plan.name, state: record.state, batchCount: record.batchCount,
                counts: ["pending": plan.instances.count], instances: plan.instances.count,
                reason: "submitted by \(record.submitterName)"
                    + (plan.needsResolution ? "; its instances and batches are learned when it starts" : ""), ticket: plan.ticket,
                time: JournalTime.format(wall()), host: host))
    }
}
