import Foundation

/// Exponential backoff with full jitter, honouring `Retry-After`:
/// `delay = max(retryAfter, random(0, min(maxDelay, baseDelay * 2^(attempt-1))))`.
public struct Backoff: Sendable {
    public let baseDelay: TimeInterval
    public let maxDelay: TimeInterval

    public init(baseDelay: TimeInterval, maxDelay: TimeInterval) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// - Parameters:
    ///   - attempt: 1 for the first retry.
    ///   - random: a draw in [0, 1), injected so tests are exact.
    public func delay(attempt: Int, retryAfter: TimeInterval?, random: Double) -> TimeInterval {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(exponent)))
        let jitter = random * ceiling
        return max(retryAfter ?? 0, jitter)
    }
}
