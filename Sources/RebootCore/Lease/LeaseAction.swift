import Foundation

/// What the owner of a `LeaseMachine` does after an event.
enum LeaseAction: Sendable, Equatable {
    /// Send the acquire statement (raise the epoch where the lease expired).
    case tryAcquire
    /// Send the renewal of `epoch` (same epoch and holder only).
    case renew(epoch: Int64)
    /// Hand the lease back (`NOTIFY` the standbys).
    case resign(epoch: Int64)
    /// Start running plans as the leader of `epoch`.
    case startLeading(epoch: Int64)
    /// Stop sending calls at once and stand by; logged once with the epoch and why.
    case stopLeading(epoch: Int64, reason: String)
    /// Call `tick` again at this monotonic time.
    case wake(at: Date)
    /// Call `tick` again now.
    case tick
}
