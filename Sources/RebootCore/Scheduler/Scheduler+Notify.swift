import Foundation

/// Plan events for the `notify` targets (SPEC §4.15). Built on the scheduler queue and handed
/// to `notify`, which only queues them: delivery never delays scheduling.
extension Scheduler {
    func emit(
        _ event: PlanNotification.Event, _ run: PlanRun, batch: Int? = nil, reason: String? = nil,
        cause: PlanNotification.Cause? = nil, state: PlanState? = nil
    ) {
        guard let notify else { return }
        var counts: [String: Int] = [:]
        for (state, n) in run.counts { counts[state.rawValue] = n }
        notify(
            PlanNotification(
                event: event, planId: run.id, planName: run.plan.name, state: (state ?? run.state).rawValue, batch: batch,
                batchCount: run.batches.count, counts: counts, instances: run.instances.count,
                reason: reason, cause: cause, time: JournalTime.format(wall)))
    }

    /// An event of a plan that is not running (queued, or failed before it ran): all its
    /// instances are in `instancesIn`.
    func emitStored(
        _ event: PlanNotification.Event, _ record: PlanRecord, state: PlanState, instancesIn: InstanceState,
        reason: String?, cause: PlanNotification.Cause? = nil
    ) {
        guard let notify else { return }
        notify(
            PlanNotification(
                event: event, planId: record.id, planName: record.name, state: state.rawValue, batchCount: record.batchCount,
                counts: [instancesIn.rawValue: record.instanceCount], instances: record.instanceCount,
                reason: reason, cause: cause, time: JournalTime.format(wall)))
    }

    /// `plan-accepted`, for a plan just journaled (it has no `PlanRun` yet).
    func emitAccepted(_ record: PlanRecord, plan: Plan) {
        guard let notify else { return }
        notify(
            PlanNotification(
                event: .planAccepted, planId: record.id, planName: plan.name, state: record.state, batchCount: record.batchCount,
                counts: ["pending": plan.instances.count], instances: plan.instances.count,
                reason: "submitted by \(record.submitterName)", time: JournalTime.format(wall)))
    }
}
