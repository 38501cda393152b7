import Foundation

/// How the database's clock stood when the lease was granted (SPEC §4.16): the grant's `now()`
/// was read between the statement's send and its answer, both on this host's monotonic clock
/// (rule 4.13: a wall-clock step between the grant and a takeover's reads moves nothing). A
/// takeover measures the old epoch's attempts, journaled on the database's clock, with it; each
/// bound errs on the side that keeps a call in doubt longer.
public struct DatabaseClockReading: Sendable, Equatable {
    /// The database's clock at the grant.
    public var databaseNow: Date
    /// This host's monotonic clock when the statement was sent, and when its answer came.
    public var sent: Date
    public var answered: Date

    public init(databaseNow: Date, sent: Date, answered: Date) {
        self.databaseNow = databaseNow
        self.sent = sent
        self.answered = answered
    }

    /// The longest time since `databaseTime` (on the database's clock) at monotonic `now`.
    public func longestSince(_ databaseTime: Date, now: Date) -> TimeInterval {
        now.timeIntervalSince(sent) + databaseNow.timeIntervalSince(databaseTime)
    }

    /// The longest time until `databaseTime` at monotonic `now`.
    public func longestUntil(_ databaseTime: Date, now: Date) -> TimeInterval {
        databaseTime.timeIntervalSince(databaseNow) - now.timeIntervalSince(answered)
    }
}
