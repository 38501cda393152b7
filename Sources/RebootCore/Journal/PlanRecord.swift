import Foundation

/// A plan as the journal holds it.
public struct PlanRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var sourceFile: String
    public var format: String
    public var sha256: String
    public var submitterUid: Int
    public var submitterName: String
    public var submittedAt: String
    public var state: String
    public var parameters: String
    public var instanceCount: Int
    public var batchCount: Int
    public var currentBatch: Int
    public var updatedAt: String
    public var finishedAt: String?
    public var reason: String?
    /// `halt` or `cancel` once decided (SPEC §4.6, §4.10); restored after a restart.
    public var stopRequest: String?
    /// The plan's change ticket (SPEC §2), journaled at submission (migration v8); nil when
    /// the plan names none, and for plans journaled before v8.
    public var ticket: String?

    public init(
        id: String, name: String, sourceFile: String, format: String, sha256: String, submitterUid: Int, submitterName: String,
        submittedAt: String, state: String, parameters: String, instanceCount: Int, batchCount: Int, currentBatch: Int,
        updatedAt: String, finishedAt: String? = nil, reason: String? = nil, stopRequest: String? = nil,
        ticket: String? = nil
    ) {
        self.id = id
        self.name = name
        self.sourceFile = sourceFile
        self.format = format
        self.sha256 = sha256
        self.submitterUid = submitterUid
        self.submitterName = submitterName
        self.submittedAt = submittedAt
        self.state = state
        self.parameters = parameters
        self.instanceCount = instanceCount
        self.batchCount = batchCount
        self.currentBatch = currentBatch
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
        self.reason = reason
        self.stopRequest = stopRequest
        self.ticket = ticket
    }

    /// The plan's parameters, decoded.
    public func decodedPlan() throws -> Plan { try Self.decode(parameters: parameters) }

    /// Decodes a plan's journaled parameters.
    static func decode(parameters: String) throws -> Plan {
        var plan = try JSONDecoder().decode(Plan.self, from: Data(parameters.utf8))
        // Decoding grows the ids' array by doubling; a running plan keeps it for its life, so it
        // is copied to its exact size (100,000 ids: 1.6 MB, not 2.1; issue 10).
        plan.instances = plan.instances.withUnsafeBufferPointer { Array($0) }
        return plan
    }
}
