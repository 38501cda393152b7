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
    /// `halt` or `cancel` once decided (SPEC §4.6, §4.10); restored after a restart.
    public var stopRequest: String?

    /// The plan's parameters, decoded.
    public func decodedPlan() throws -> Plan { try JSONDecoder().decode(Plan.self, from: Data(parameters.utf8)) }
}
