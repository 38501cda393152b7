import Foundation

/// 409 handling: how many refused reboot calls, and how long to wait for Running, before the
/// instance fails.
public struct ConflictRetry: Sendable, Equatable, Codable {
    public var maxAttempts: Int
    public var timeout: TimeInterval

    public init(maxAttempts: Int = 10, timeout: TimeInterval = 1800) {
        self.maxAttempts = maxAttempts
        self.timeout = timeout
    }
}
