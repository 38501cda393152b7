import Foundation

/// The daemon's part in leadership of a shared journal (SPEC §4.16) as a value: whether its
/// scheduler may start, whether controls go to the scheduler or into the journal for the
/// leader, and what a lost lease or a shutdown does. Events return what to do;
/// `RebootDaemon+Lease` performs it, holding one lock across the event and the fence.
struct DaemonLeadership: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// Serving the spool only; the scheduler holds every pump.
        case standingBy
        /// The lease of `epoch` was taken: the scheduler is resuming the plans.
        case starting(epoch: Int64)
        /// The leader of `epoch`: controls go to the scheduler.
        case leading(epoch: Int64)
        /// The lease of `epoch` was lost: no call, then the process starts again as a standby.
        case steppingDown(epoch: Int64)
        /// SIGTERM: nothing starts again; the shutdown stops the scheduler and resigns.
        case shuttingDown
    }

    /// What to do with the scheduler once it has started.
    enum AfterStart: Sendable, Equatable {
        /// Lead: apply the journaled controls and release the calls.
        case lead
        /// The lease was lost while it started: stop it, then start again as a standby.
        case stopAndRestart
        /// A shutdown began while it started: the shutdown stops it.
        case leaveToShutdown
    }

    /// What a lost lease does.
    enum AfterLoss: Sendable, Equatable {
        /// Stop the scheduler (calls in flight answered), then start again as a standby.
        case stopAndRestart
        /// The scheduler is still starting: `schedulerStarted` will say `.stopAndRestart`.
        case waitForStart
        /// Nothing: not leading, or already leaving.
        case nothing
    }

    private(set) var phase: Phase = .standingBy

    /// The keeper took the lease: true when the scheduler should start (only from standing by).
    mutating func leaseTaken(epoch: Int64) -> Bool {
        guard phase == .standingBy else { return false }
        phase = .starting(epoch: epoch)
        return true
    }

    /// The scheduler started for `epoch`.
    mutating func schedulerStarted(epoch: Int64) -> AfterStart {
        switch phase {
        case .starting(let e) where e == epoch:
            phase = .leading(epoch: epoch)
            return .lead
        case .steppingDown: return .stopAndRestart
        default: return .leaveToShutdown
        }
    }

    /// The keeper ended leadership of `epoch` (trust ran out, a renewal was refused, a commit
    /// found the lease gone).
    mutating func leaseLost(epoch: Int64) -> AfterLoss {
        switch phase {
        case .starting(let e) where e == epoch:
            phase = .steppingDown(epoch: epoch)
            return .waitForStart
        case .leading(let e) where e == epoch:
            phase = .steppingDown(epoch: epoch)
            return .stopAndRestart
        default:
            return .nothing
        }
    }

    /// SIGTERM: from now on nothing starts, and the process never starts itself again.
    mutating func shutdown() { phase = .shuttingDown }

    /// Whether a control goes to the scheduler (else it is journaled for the leader).
    var controlsToScheduler: Bool {
        if case .leading = phase { return true }
        return false
    }

    /// Whether the process may start itself again as a standby.
    var mayRestart: Bool {
        if case .steppingDown = phase { return true }
        return false
    }
}

/// `DaemonLeadership` under its lock, shared by the daemon and its spool's control route.
final class DaemonLeadershipCell: @unchecked Sendable {
    private let lock = NSLock()
    private var state = DaemonLeadership()

    /// Runs `body` on the state, holding the lock (the fence changes inside it too).
    func withLock<T>(_ body: (inout DaemonLeadership) throws -> T) rethrows -> T {
        try lock.withLock { try body(&state) }
    }
}
