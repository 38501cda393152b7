import BCC
import Foundation

/// SPEC §4.8: what successful status reads say about a reboot call in doubt (a timeout, a lost
/// connection, a 502/504, or an attempt left without an outcome by a crash).
///
/// A call in doubt is resolved by evidence, never by elapsed time alone:
/// - *applied*: a reading that is not `Running` (the last read before the send was `Running`:
///   the call was sent only for an instance last read so);
/// - *notApplied*: readings of `Running` that cover the whole time from the send to the effect
///   deadline plus `minRebootTime`, the first at most `maxGap` after the send and no two further
///   apart than `maxGap = min(minRebootTime, inDoubtMaxGap)`. BCE refuses the call after its
///   effect deadline (its signature has expired), and a reboot that took effect keeps the
///   instance out of Running for at least `minRebootTime`: such a reboot would have been seen.
///   Only then is the call safe to send again;
/// - *unknowable*: a longer gap anywhere (a status outage, a daemon down, a reboot faster than the
///   first reading), or a non-Running reading when the last read before the send was not
///   `Running` (it may show the state the call met, not its effect): never sent again, the
///   operator decides.
/// A failed poll, or an id missing from a describe-many answer, is no reading at all. A status
/// is read somewhere between a poll's send and its answer, so the time nothing was seen runs
/// from the previous poll's send to this poll's answer. All instants are monotonic.
public struct InDoubtEvidence: Sendable, Equatable {
    /// What the evidence says so far.
    public enum Verdict: Sendable, Equatable {
        /// More readings are needed.
        case undecided
        case applied(InstanceStatus)
        case notApplied
        case unknowable(gap: TimeInterval)
    }

    public let sentAt: Date
    /// After this instant the call can no longer take effect (SPEC §1).
    public let effectDeadline: Date
    /// The shortest time a reboot that took effect keeps the instance out of Running.
    public let minRebootTime: TimeInterval
    /// The longest time allowed without a reading.
    public let maxGap: TimeInterval
    /// When the latest poll that read a status was sent (the call's send, before any reading).
    public private(set) var lastReadingSentAt: Date
    /// When the latest reading's answer arrived.
    public private(set) var lastEvidenceAt: Date
    /// The longest time nothing was seen, since the send.
    public private(set) var longestGap: TimeInterval = 0
    public private(set) var readings = 0
    /// Whether the last read before the send was `Running` (rule 4.1 makes it so for every call
    /// rebootd sends); only then does a non-Running reading show the call's effect.
    public let runningBeforeSend: Bool

    /// `sentAt` may lie far in the past (a send whose time since is unknown, SPEC §4.8): the
    /// first reading's gap then exceeds any limit.
    public init(
        sentAt: Date, effectDeadline: Date, minRebootTime: TimeInterval, inDoubtMaxGap: TimeInterval,
        runningBeforeSend: Bool = true
    ) {
        self.sentAt = sentAt
        self.runningBeforeSend = runningBeforeSend
        self.effectDeadline = max(effectDeadline, sentAt)
        self.minRebootTime = minRebootTime
        maxGap = min(minRebootTime, inDoubtMaxGap)
        lastReadingSentAt = sentAt
        lastEvidenceAt = sentAt
    }

    /// Running readings must reach past this instant to show the call never took effect.
    public var coveredUntil: Date { effectDeadline + minRebootTime }

    /// Records one status read by a successful poll sent at `sent` and answered at `answered`,
    /// and returns the verdict.
    public mutating func reading(_ status: InstanceStatus, sent: Date, answered: Date) -> Verdict {
        readings += 1
        longestGap = max(longestGap, answered.timeIntervalSince(lastReadingSentAt))
        lastReadingSentAt = max(lastReadingSentAt, sent)
        lastEvidenceAt = max(lastEvidenceAt, answered)
        if !status.isRunning { return runningBeforeSend ? .applied(status) : .unknowable(gap: longestGap) }
        if longestGap > maxGap { return .unknowable(gap: longestGap) }
        // The status was read after `sent`: Running then, past the window, with no gap.
        return sent >= coveredUntil ? .notApplied : .undecided
    }

    /// A reading whose poll was answered at once (`sent == answered`).
    public mutating func reading(_ status: InstanceStatus, at: Date) -> Verdict { reading(status, sent: at, answered: at) }

    /// True once the evidence can no longer prove that the call never took effect: the time
    /// since the last reading's poll was sent is already longer than `maxGap`. Only a
    /// non-Running reading can still resolve it (as applied).
    public func hasGap(now: Date) -> Bool { longestGap > maxGap || now.timeIntervalSince(lastReadingSentAt) > maxGap }
}
