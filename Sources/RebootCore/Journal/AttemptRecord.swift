import Foundation
import GRDB

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
