import Foundation

/// Leadership of a shared journal (SPEC §4.16) as a value: whether this daemon may run plans
/// and send reboot calls, decided from the answers of the lease statements and the local
/// monotonic clock only. The database's clock sets the expiry; this side trusts a lease only
/// until `sentAt + remaining - margin`, measured from when the statement that granted it was
/// *sent* (an answer that comes late is worth less, never more). Events return `LeaseAction`s
/// for the owner to perform; no I/O, no clock here.
struct LeaseMachine: Sendable, Equatable {
    /// Where leadership stands.
    enum State: Sendable, Equatable {
        /// Not the leader: try to take the lease at `nextTry` (monotonic).
        case standingBy(nextTry: Date)
        /// The leader of `epoch`, trusted until `trustUntil` (monotonic); a renewal is due at
        /// `renewAt`, or in flight since `renewalSentAt`.
        case leading(epoch: Int64, trustUntil: Date, renewAt: Date, renewalSentAt: Date?)
        /// Stopped cleanly: the lease is being handed back (resign), nothing more.
        case resigned
    }

    struct Settings: Sendable, Equatable {
        /// How long the database grants the lease (SPEC §4.16: 15 s).
        var lease: TimeInterval = 15
        /// How often the leader renews (3 s).
        var renewEvery: TimeInterval = 3
        /// Trust ends this much before the lease's expiry (clock rates differ, a statement
        /// takes time to come back).
        var margin: TimeInterval = 2
    }

    private(set) var state: State
    let settings: Settings

    init(settings: Settings = Settings(), now: Date) {
        self.settings = settings
        state = .standingBy(nextTry: now)
    }

    /// The leader's epoch, while trusted at `now`.
    func epoch(at now: Date) -> Int64? {
        if case .leading(let epoch, let trust, _, _) = state, now < trust { return epoch }
        return nil
    }

    /// The owner's timer fired (or anything woke it) at `now`: what is due.
    mutating func tick(now: Date) -> [LeaseAction] {
        switch state {
        case .standingBy(let next):
            return now >= next ? [.tryAcquire] : [.wake(at: next)]
        case .leading(let epoch, let trust, let renewAt, let sent):
            if now >= trust {
                // The renewal did not come back in time: leadership ends at once, whatever the
                // database says later (the River/Oban lesson: trust ends early, never late).
                state = .standingBy(nextTry: now + settings.renewEvery)
                return [.stopLeading(epoch: epoch, reason: "the lease was not renewed before its trust ran out")]
            }
            if sent == nil, now >= renewAt {
                state = .leading(epoch: epoch, trustUntil: trust, renewAt: renewAt, renewalSentAt: now)
                return [.renew(epoch: epoch), .wake(at: trust)]
            }
            return [.wake(at: sent == nil ? min(renewAt, trust) : trust)]
        case .resigned:
            return []
        }
    }

    /// The acquire statement, sent at `sentAt`, raised the epoch to `epoch`; the database says
    /// the lease has `remaining` seconds left.
    mutating func acquired(epoch: Int64, remaining: TimeInterval, sentAt: Date, now: Date) -> [LeaseAction] {
        guard case .standingBy = state else { return [] }
        let trust = sentAt + remaining - settings.margin
        guard now < trust else {
            // Granted, but the answer came back too late to trust: stand by, try again.
            state = .standingBy(nextTry: now)
            return [.tick]
        }
        state = .leading(epoch: epoch, trustUntil: trust, renewAt: now + settings.renewEvery, renewalSentAt: nil)
        return [.startLeading(epoch: epoch), .wake(at: now + settings.renewEvery)]
    }

    /// The acquire statement found the lease held by another, live holder (or failed).
    mutating func notAcquired(now: Date) -> [LeaseAction] {
        guard case .standingBy = state else { return [] }
        state = .standingBy(nextTry: now + settings.renewEvery)
        return [.wake(at: now + settings.renewEvery)]
    }

    /// The renewal of `epoch` came back: the database extended it to `remaining` seconds from
    /// its own now. `sentAt`: when the renewal was sent.
    mutating func renewed(epoch: Int64, remaining: TimeInterval, now: Date) -> [LeaseAction] {
        guard case .leading(let e, let trust, _, let sent?) = state, e == epoch, now < trust else { return [] }
        let extended = max(trust, sent + remaining - settings.margin)
        state = .leading(epoch: epoch, trustUntil: extended, renewAt: now + settings.renewEvery, renewalSentAt: nil)
        return [.wake(at: now + settings.renewEvery)]
    }

    /// The renewal of `epoch` was refused: another epoch holds the lease, or it expired (a
    /// renewal never revives an expired lease: a new epoch is needed). Leadership ends.
    mutating func renewalRefused(epoch: Int64, now: Date) -> [LeaseAction] {
        guard case .leading(let e, _, _, _) = state, e == epoch else { return [] }
        state = .standingBy(nextTry: now + settings.renewEvery)
        return [.stopLeading(epoch: epoch, reason: "the lease was taken or expired")]
    }

    /// The renewal failed without an answer (a timeout, the database down): still the leader
    /// until the trust runs out; the next tick tries again.
    mutating func renewalFailed(epoch: Int64, now: Date) -> [LeaseAction] {
        guard case .leading(let e, let trust, _, _) = state, e == epoch, now < trust else { return [] }
        state = .leading(epoch: epoch, trustUntil: trust, renewAt: now, renewalSentAt: nil)
        return [.wake(at: min(now + 0.5, trust))]
    }

    /// A clean stop: hand the lease back so that a standby takes over at once.
    mutating func resign(now: Date) -> [LeaseAction] {
        defer { state = .resigned }
        if case .leading(let epoch, let trust, _, _) = state, now < trust {
            return [.stopLeading(epoch: epoch, reason: "stopping"), .resign(epoch: epoch)]
        }
        return []
    }
}
