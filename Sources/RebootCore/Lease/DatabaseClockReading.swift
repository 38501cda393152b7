import Foundation

/// How the database's clock stood against this host's wall clock when the lease was granted
/// (SPEC §4.16): the grant's `now()` was read between the statement's send and its answer.
/// A takeover measures the old epoch's attempts, journaled on the database's clock, with it;
/// each bound errs on the side that keeps a call in doubt longer.
public struct DatabaseClockReading: Sendable, Equatable {
    /// The database's clock at the grant.
    public var databaseNow: Date
    /// This host's wall clock when the statement was sent, and when its answer came.
    public var wallSent: Date
    public var wallAnswered: Date

    public init(databaseNow: Date, wallSent: Date, wallAnswered: Date) {
        self.databaseNow = databaseNow
        self.wallSent = wallSent
        self.wallAnswered = wallAnswered
    }

    /// The longest time since `databaseTime` (a time on the database's clock) at this host's
    /// wall time `wallNow`.
    public func longestSince(_ databaseTime: Date, wallNow: Date) -> TimeInterval {
        wallNow.timeIntervalSince(wallSent) + databaseNow.timeIntervalSince(databaseTime)
    }

    /// The longest time until `databaseTime` at this host's wall time `wallNow`.
    public func longestUntil(_ databaseTime: Date, wallNow: Date) -> TimeInterval {
        databaseTime.timeIntervalSince(databaseNow) - wallNow.timeIntervalSince(wallAnswered)
    }
}
