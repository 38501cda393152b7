import Foundation

/// A point-in-time view of the scheduler, for `STATUS=`, metrics and tests.
public struct SchedulerSnapshot: Sendable, Equatable {
    /// One active plan.
    public struct PlanSummary: Sendable, Equatable {
        public let id: String
        public let state: PlanState
        public let currentBatch: Int
        public let batchCount: Int
        public let counts: [InstanceState: Int]

        public init(id: String, state: PlanState, currentBatch: Int, batchCount: Int, counts: [InstanceState: Int]) {
            self.id = id
            self.state = state
            self.currentBatch = currentBatch
            self.batchCount = batchCount
            self.counts = counts
        }
    }

    public let plans: [PlanSummary]
    public let rateLimitTokens: Double
    public let currentRate: Double
    public let inFlight: Int
    /// How many plans have ended since the scheduler started: a reader that caches counts of
    /// finished plans reads them again only when this changes (issue 10).
    public let planEndings: Int

    public init(plans: [PlanSummary], rateLimitTokens: Double, currentRate: Double, inFlight: Int, planEndings: Int = 0) {
        self.planEndings = planEndings
        self.plans = plans
        self.rateLimitTokens = rateLimitTokens
        self.currentRate = currentRate
        self.inFlight = inFlight
    }
}
