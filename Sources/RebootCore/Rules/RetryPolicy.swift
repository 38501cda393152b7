import BCC
import Foundation

/// SPEC §4.5: what a failed reboot call leads to, other than a 409.
///
/// Decided by HTTP status (the error classifies itself; codes only refine it):
/// - throttled (429, or a code naming a limit): retried after backoff, honouring `Retry-After`
///   up to 5 minutes; never counted against `maxAttempts`, so throttling never fails an instance;
/// - transient (5xx, a connection refused before anything was sent): retried with exponential
///   backoff and full jitter, at most `maxAttempts` calls in all;
/// - in doubt (a timeout, a connection lost after sending, 502/504): not retried here: the
///   instance is followed by polls (`InDoubtEvidence`);
/// - another 4xx about the instance: it fails with the API's code and message;
/// - an account error: every plan pauses (`AccountPause`).
public struct RetryPolicy: Sendable {
    /// What to do after one failed call.
    public enum Decision: Sendable, Equatable {
        case retry(after: TimeInterval)
        case fail(reason: String)
        case inDoubt
        case pauseAccount
        case conflict
    }

    /// `Retry-After` is honoured up to this many seconds.
    public static let maxRetryAfter: TimeInterval = 300

    public let maxAttempts: Int
    public let backoff: Backoff

    public init(maxAttempts: Int, baseDelay: TimeInterval, maxDelay: TimeInterval) {
        self.maxAttempts = maxAttempts
        backoff = Backoff(baseDelay: baseDelay, maxDelay: maxDelay)
    }

    public init(_ retry: RebootdConfig.Retry) {
        self.init(maxAttempts: retry.maxAttempts, baseDelay: retry.baseDelay, maxDelay: retry.maxDelay)
    }

    /// - Parameters:
    ///   - counted: calls of this instance that count against `maxAttempts` so far, this one included.
    ///   - throttles: consecutive throttled answers so far, this one included.
    public func after(_ error: BCCError, counted: Int, throttles: Int, random: Double) -> Decision {
        switch error.kind {
        case .conflict:
            return .conflict
        case .accountFatal:
            return .pauseAccount
        case .instanceFatal:
            return .fail(reason: "\(error.code): \(error.message)")
        case .throttled:
            return .retry(after: delay(attempt: throttles, retryAfter: error.retryAfter, random: random))
        case .transient where error.inDoubt:
            return .inDoubt
        case .transient:
            if counted >= maxAttempts { return .fail(reason: "\(error.code) after \(counted) tries") }
            return .retry(after: delay(attempt: counted, retryAfter: error.retryAfter, random: random))
        }
    }

    /// Exponential backoff with full jitter, never shorter than `Retry-After` (capped at 5 minutes).
    public func delay(attempt: Int, retryAfter: TimeInterval?, random: Double) -> TimeInterval {
        backoff.delay(attempt: attempt, retryAfter: retryAfter.map { min(max($0, 0), Self.maxRetryAfter) }, random: random)
    }
}
