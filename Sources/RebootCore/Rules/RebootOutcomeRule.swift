import BCC
import Foundation

/// SPEC §4.3: when an accepted reboot is done. The instance is `rebooted` when a status poll
/// sent after the call's answer arrived reads `Running` (the API puts it into `Starting` at
/// once, so an earlier reading proves nothing), and `failed` with reason `timeout` when that
/// takes longer than `rebootTimeout`.
public struct RebootOutcomeRule: Sendable, Equatable {
    /// What one reading, or the passing of time, decides.
    public enum Decision: Sendable, Equatable {
        case rebooted
        case timedOut
        case keepFollowing
    }

    public let rebootTimeout: TimeInterval

    public init(rebootTimeout: TimeInterval) { self.rebootTimeout = rebootTimeout }

    /// A poll sent at `pollSent` read `status`, for a reboot accepted at `acceptedAt`.
    public func afterPoll(_ status: InstanceStatus, pollSent: Date, acceptedAt: Date?) -> Decision {
        guard status.isRunning, let acceptedAt, pollSent >= acceptedAt else { return .keepFollowing }
        return .rebooted
    }

    /// Whether the reboot, rebooting since `since`, has run out of time at `now`.
    public func check(since: Date?, now: Date) -> Decision {
        guard let since, now.timeIntervalSince(since) > rebootTimeout else { return .keepFollowing }
        return .timedOut
    }
}
