import Foundation

/// A control command and who asked for it.
public struct ControlRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var planId: String
    public var verb: String
    public var requestedByUid: Int
    public var requestedBy: String
    public var requestedAt: String
    public var appliedAt: String
    public var result: String
}
