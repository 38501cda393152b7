import Foundation

/// `rebootctl report`'s data, read from the journal.
extension Journal {
    public func planReport(planId: String, now: Date = Date()) throws -> PlanReport? {
        guard let plan = try plan(id: planId) else { return nil }
        return PlanReportBuilder.build(plan: plan, instances: try instances(planId: planId), attempts: try attempts(planId: planId),
                                       events: try events(planId: planId), controls: try controls(planId: planId), now: now)
    }
}
