import Foundation
import GRDB

/// A plan as the journal holds it.
public struct PlanRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plans"
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

    /// The plan's parameters, decoded.
    public func decodedPlan() throws -> Plan { try JSONDecoder().decode(Plan.self, from: Data(parameters.utf8)) }
}

/// One instance of one plan.
public struct PlanInstanceRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plan_instances"
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
}

/// One reboot call: committed before it is sent, its outcome after.
public struct AttemptRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
    public var id: Int64?
    public var planId: String
    public var instanceId: String
    public var attempt: Int
    public var kind: String
    public var sentAt: String
    public var finishedAt: String?
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    public var requestId: String?
    public var outcome: String?
}

/// Something that happened to a plan: state changes, batch starts, halts, dry-run layout.
public struct PlanEventRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plan_events"
    public var id: Int64?
    public var planId: String
    public var at: String
    public var kind: String
    public var detail: String
}

/// A control command and who asked for it.
public struct ControlRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "controls"
    public var id: Int64?
    public var planId: String
    public var verb: String
    public var requestedByUid: Int
    public var requestedBy: String
    public var requestedAt: String
    public var appliedAt: String
    public var result: String
}
