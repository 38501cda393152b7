import Foundation

/// `rebootctl report`'s data, read from the journal.
extension JournalReading {
    public func planReport(planId: String, now: Date = Date()) throws -> PlanReport? {
        guard let plan = try plan(id: planId) else { return nil }
        // `resume --all` is journaled once, for "all": it belongs to every plan alive then.
        let last = plan.finishedAt ?? "9999"
        let all = try controls(planId: "all").filter { $0.appliedAt >= plan.submittedAt && $0.appliedAt <= last }
        let own = try controls(planId: planId)
        return PlanReportBuilder.build(
            plan: plan, instances: try instances(planId: planId), attempts: try attempts(planId: planId),
            events: try events(planId: planId), controls: own + all, now: now)
    }
}
