import BCC
import Foundation

/// SPEC §4.4: what a 409 (instance not Running) means, and what the polls that follow it decide.
///
/// A 409 makes the instance `waiting`. The status read right after it decides what waiting
/// means: a transitional status is waited out and the reboot is called again as soon as a poll
/// reads `Running`; `Stopped`, `Expired`, `Recycled` and `Deleted` will not come back by
/// themselves (skipped, with that status as the reason, not counted against `maxFailures`);
/// `Error` fails it. After `maxAttempts` 409s or `timeout` of waiting, it fails with the last
/// error code.
public struct ConflictPolicy: Sendable, Equatable {
    /// What to do with a waiting instance.
    public enum Decision: Sendable, Equatable {
        case keepWaiting
        case callAgain
        case skip(reason: String)
        case fail(reason: String)
    }

    public let maxAttempts: Int
    public let timeout: TimeInterval

    public init(maxAttempts: Int, timeout: TimeInterval) {
        self.maxAttempts = maxAttempts
        self.timeout = timeout
    }

    public init(_ plan: ConflictRetry) { self.init(maxAttempts: plan.maxAttempts, timeout: plan.timeout) }

    /// After the `conflicts`-th 409 with error `code`.
    public func afterConflict(conflicts: Int, code: String) -> Decision {
        conflicts >= maxAttempts ? .fail(reason: code) : .keepWaiting
    }

    /// A poll read `status` for an instance waiting since `waitingSince`.
    public func afterPoll(_ status: InstanceStatus) -> Decision {
        if status.isRunning { return .callAgain }
        if status.isParked { return .skip(reason: status.rawValue) }
        if status == .error { return .fail(reason: "instance status Error") }
        return .keepWaiting
    }

    /// Waiting longer than `timeout` fails the instance with the last error code.
    public func timedOut(waitingSince: Date, now: Date, lastError: String?) -> Decision {
        now.timeIntervalSince(waitingSince) > timeout
            ? .fail(reason: lastError ?? "Instance.RebootInstanceOperationForbidden") : .keepWaiting
    }
}
