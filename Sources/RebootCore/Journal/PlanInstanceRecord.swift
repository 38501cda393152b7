import Foundation

/// One instance of one plan.
public struct PlanInstanceRecord: Codable, Sendable, Equatable {
    public var planId: String
    public var idx: Int
    public var instanceId: String
    public var batch: Int
    public var state: String
    public var attempts: Int
    public var conflicts: Int
    public var lastError: String?
    public var lastStatus: String?
    public var observedNonRunning: Bool
    public var startedAt: String?
    public var finishedAt: String?
    public var updatedAt: String
    // zone: filled by v9-zones
    /// The instance's availability zone (SPEC §2, `zones`) as the plan learned it when it
    /// started (`resolvePlan` writes the column); nil before, for a zone the API did not give,
    /// and for a plan that needed none. `save(instance:)` never writes it.
    public var zone: String?

    public init(
        planId: String, idx: Int, instanceId: String, batch: Int, state: String, attempts: Int, conflicts: Int,
        lastError: String? = nil, lastStatus: String? = nil, observedNonRunning: Bool, startedAt: String? = nil,
        finishedAt: String? = nil, updatedAt: String, zone: String? = nil
    ) {
        self.planId = planId
        self.idx = idx
        self.instanceId = instanceId
        self.batch = batch
        self.state = state
        self.attempts = attempts
        self.conflicts = conflicts
        self.lastError = lastError
        self.lastStatus = lastStatus
        self.observedNonRunning = observedNonRunning
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.updatedAt = updatedAt
        self.zone = zone
    }
}
