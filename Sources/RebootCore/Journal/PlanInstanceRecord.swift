import Foundation
import GRDB

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
