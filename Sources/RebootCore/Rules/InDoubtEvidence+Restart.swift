import Foundation

/// Rule 4.8 after a restart: how long ago a journaled call without an outcome was sent, and
/// how long it could take effect.
extension InDoubtEvidence {
    /// The send time (monotonic, `now`'s clock) and the signature expiry of `attempt`. The
    /// time since the send is taken on the boot clock of the same boot, never on the wall
    /// clock, which a step can shorten; another boot, or a row from before v5, tells nothing:
    /// longer than any limit, so only a non-Running reading resolves it. The expiry is the one
    /// the call was signed with, from its own row (both times are one reading of the wall
    /// clock, so no step comes between them), never shorter than today's (`minExpiry`).
    static func restartedSend(
        of attempt: AttemptRecord, now: Date, boot: BootStamp, minExpiry: TimeInterval, minRebootTime: TimeInterval,
        maxGap: TimeInterval, takeover: DatabaseClockReading? = nil
    ) -> (sentAt: Date, expiry: TimeInterval) {
        // A takeover (SPEC §4.16): another host's attempt, journaled on the database's clock,
        // measured from the lease grant's reading of that clock, each end the conservative way.
        if let takeover, attempt.sentBoot.flatMap({ boot.seconds(since: $0) }) == nil,
            let sentAt = JournalTime.parse(attempt.sentAt), let deadline = attempt.effectDeadline.flatMap(JournalTime.parse)
        {
            let sent = now - max(0, takeover.longestSince(sentAt, now: now))
            let until = takeover.longestUntil(deadline, now: now)
            return (sent, max((now + until).timeIntervalSince(sent), minExpiry))
        }
        let journaledExpiry = attempt.effectDeadline.flatMap(JournalTime.parse).flatMap { deadline in
            JournalTime.parse(attempt.sentAt).map { deadline.timeIntervalSince($0) }
        }
        let expiry = max(journaledExpiry ?? 0, minExpiry)
        let unknown = now - (expiry + minRebootTime + maxGap + 1)
        let sent = min(attempt.sentBoot.flatMap { boot.seconds(since: $0) }.map { now - $0 } ?? unknown, now)
        return (sent, expiry)
    }
}
