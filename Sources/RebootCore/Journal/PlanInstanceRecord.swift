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
    /// The instance's availability zone (SPEC §2, `zones`), once the journal holds it; nil
    /// until then. Not in `CodingKeys` yet, so the journal neither writes nor reads it.
    public var zone: String?

    /// The journal's columns (`plan_instances`).
    enum CodingKeys: String, CodingKey {
        case planId, idx, instanceId, batch, state, attempts, conflicts, lastError, lastStatus, observedNonRunning, startedAt,
            finishedAt, updatedAt
    }

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
