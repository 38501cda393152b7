import Foundation

/// The leader's lease on a shared PostgreSQL journal (SPEC §4.16), from the config's
/// `lease: { duration: 15s, renewEvery: 3s, margin: 2s }`.
///
/// The database grants the lease for `duration`; the leader renews it every `renewEvery`, and
/// stops trusting it (sends no reboot call) `margin` before it would expire. A renewal that is
/// late by up to one `renewEvery` must still leave time to send, so the config requires
/// `renewEvery < duration` and `margin < duration - renewEvery`. Ignored with a SQLite journal.
public struct LeaseSettings: Sendable, Equatable {
    /// How long the database grants the lease (15 s).
    public var duration: TimeInterval
    /// How often the leader renews it (3 s).
    public var renewEvery: TimeInterval
    /// Trust ends, and no call is sent, this long before the lease's expiry (2 s).
    public var margin: TimeInterval
    /// The server's `statement_timeout` for every journal statement (2 s; not configurable:
    /// a statement must end well within a lease).
    public var statementTimeout: TimeInterval

    public init(duration: TimeInterval = 15, renewEvery: TimeInterval = 3, margin: TimeInterval = 2, statementTimeout: TimeInterval = 2) {
        self.duration = duration
        self.renewEvery = renewEvery
        self.margin = margin
        self.statementTimeout = statementTimeout
    }
}
