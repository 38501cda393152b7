import Foundation
import GRDB

/// Something that happened to a plan: state changes, batch starts, halts, dry-run layout.
public struct PlanEventRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plan_events"
    public var id: Int64?
    public var planId: String
    public var at: String
    public var kind: String
    public var detail: String
}
