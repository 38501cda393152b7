import BCC
import Foundation

/// SPEC §4.8: what the status polls after a reboot call in doubt (a timeout, a lost connection,
/// a 502/504, or an attempt left without an outcome by a crash) say about that call.
///
/// A call in doubt is resolved by evidence from successful polls, never by elapsed time alone:
/// - a reading that is not `Running`: the call took effect (`applied`);
/// - readings of `Running` without a break for `grace`, the first at most `maxGap` after the call
///   was sent and no two successive ones further apart than `maxGap`: it never took effect
///   (`notApplied`, safe to send again);
/// - a longer gap anywhere in that evidence: a whole reboot could have happened unseen
///   (`unknowable`: never sent again, the operator decides).
/// A failed poll, or an id missing from a describe-many answer, is no reading at all.
/// All instants are monotonic.
public struct InDoubtEvidence: Sendable, Equatable {
    /// What the evidence says so far.
    public enum Verdict: Sendable, Equatable {
        case undecided
        case applied(InstanceStatus)
        case notApplied
        case unknowable(gap: TimeInterval)
    }

    public let sentAt: Date
    public let grace: TimeInterval
    public let maxGap: TimeInterval
    /// When the latest poll that read a status was sent (the call's send, before any reading).
    /// A status is read somewhere between a poll's send and its answer, so the time nothing was
    /// seen runs from the previous poll's send to this poll's answer.
    public private(set) var lastReadingSentAt: Date
    /// When the latest reading's answer arrived.
    public private(set) var lastEvidenceAt: Date
    /// The answer of the first reading of the current unbroken `Running` streak.
    public private(set) var runningSince: Date?
    /// The longest time nothing was seen, since the send.
    public private(set) var longestGap: TimeInterval = 0
    public private(set) var readings = 0

    public init(sentAt: Date, grace: TimeInterval, maxGap: TimeInterval) {
        self.sentAt = sentAt
        self.grace = grace
        self.maxGap = maxGap
        lastReadingSentAt = sentAt
        lastEvidenceAt = sentAt
    }

    /// Records one status read by a successful poll sent at `sent` and answered at `answered`,
    /// and returns the verdict.
    public mutating func reading(_ status: InstanceStatus, sent: Date, answered: Date) -> Verdict {
        readings += 1
        longestGap = max(longestGap, answered.timeIntervalSince(lastReadingSentAt))
        lastReadingSentAt = max(lastReadingSentAt, sent)
        lastEvidenceAt = max(lastEvidenceAt, answered)
        if !status.isRunning { return .applied(status) }
        if longestGap > maxGap { return .unknowable(gap: longestGap) }
        let since = runningSince ?? answered
        runningSince = since
        // Running for sure from the first answer to the latest send.
        return sent.timeIntervalSince(since) >= grace ? .notApplied : .undecided
    }

    /// A reading whose poll was answered at once (`sent == answered`).
    public mutating func reading(_ status: InstanceStatus, at: Date) -> Verdict { reading(status, sent: at, answered: at) }

    /// True once the evidence can no longer prove that the call never took effect: the time
    /// since the last reading's poll was sent is already longer than `maxGap`. Only a
    /// non-Running reading can still resolve it (as applied).
    public func hasGap(now: Date) -> Bool { longestGap > maxGap || now.timeIntervalSince(lastReadingSentAt) > maxGap }
}
