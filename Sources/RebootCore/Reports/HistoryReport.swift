import Foundation

/// Every attempt on one instance across plans (`rebootctl history INSTANCE --json`).
public struct HistoryReport: Codable, Sendable {
    public var instance: String
    public var attempts: [AttemptRecord]

    public init(instance: String, attempts: [AttemptRecord]) {
        self.instance = instance
        self.attempts = attempts
    }
}
