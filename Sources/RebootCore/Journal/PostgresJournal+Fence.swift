import Foundation
import PostgresNIO

/// The lease as a fence on writes (SPEC §4.16, Temporal's `range_id` checked `FOR SHARE`): a
/// host that lost the lease, even without knowing it yet, commits no plan or instance state,
/// only the outcomes of calls it already sent.
extension PostgresJournal {
    /// Who may write; set by the lease keeper as leadership starts and ends.
    public var fence: LeaseFence {
        get { pendingLock.withLock { fenceState } }
        set { pendingLock.withLock { fenceState = newValue } }
    }

    /// Sets what is called when a commit finds the lease it was fenced by gone.
    public func whenFencedOut(_ body: @escaping @Sendable (Int64) -> Void) {
        pendingLock.withLock { onFencedOut = body }
    }

    /// The lease's seconds left for `epoch` and `holder`, read `FOR SHARE` (no new epoch can
    /// begin before this transaction ends); nil when it is another's or expired.
    static func leaseLeft(epoch: Int64, holder: String, in t: PostgresTransaction) async throws -> Double? {
        let rows = try await t.query(
            """
            SELECT EXTRACT(EPOCH FROM expires_at - now())::float8 FROM lease
            WHERE id = 1 AND epoch = \(epoch) AND holder = \(holder) AND expires_at > now()
            FOR SHARE
            """)
        return try rows.first?.decode(Double.self)
    }

    /// Applies queued writes as `fence` allows. Returns the lease's seconds left when fenced by
    /// a lease that is held, `.infinity` when unfenced, nil when only outcomes were applied.
    static func applyQueued(_ queued: [PostgresWrite], in t: PostgresTransaction, fence: LeaseFence) async throws -> Double? {
        let left: Double?
        switch fence {
        case .unfenced: left = .infinity
        case .standingBy: left = nil
        case .leading(let epoch, let holder, _): left = try await leaseLeft(epoch: epoch, holder: holder, in: t)
        }
        for write in queued where left != nil || write.isOutcome { try await apply(write, in: t) }
        return left
    }

    /// After a commit that applied only outcomes: the writes it dropped are gone for good (a
    /// stale leader's state must never land), and the owner learns that the lease is lost.
    func fencedOut(_ fence: LeaseFence, dropped: Int) {
        guard case .leading(let epoch, _, _) = fence else {
            if dropped > 0 { logger.error("not the leader: \(dropped) journal writes other than attempts' outcomes were dropped") }
            return
        }
        logger.error("the lease of epoch \(epoch) is gone: \(dropped) journal writes other than attempts' outcomes were dropped")
        pendingLock.withLock { onFencedOut }?(epoch)
    }

    /// `beginAttempts` under the fence: returns the attempts' ids and how many seconds from
    /// this call's start their calls may be sent (`.infinity` unfenced). Fenced, the attempts'
    /// `sentAt` and `effectDeadline` are set on the database's clock (the earliest the call
    /// can be sent, and the latest it can take effect: the send window plus the signature's
    /// expiry, which each record gives as `effectDeadline - sentAt`), so that
    /// another host can measure them after a takeover. Throws `leaseLost` (or `notLeader`)
    /// when no call may be sent; queued outcomes are committed even then.
    public func beginLeasedAttempts(_ attempts: [AttemptRecord]) throws -> (ids: [Int64], sendWithin: TimeInterval) {
        let fence = self.fence
        switch fence {
        case .unfenced:
            return (try beginAttempts(attempts), .infinity)
        case .standingBy:
            try flush()
            throw PostgresJournalError.notLeader
        case .leading(let epoch, _, let margin):
            let queued = takePending()
            let marginMillis = Int64((margin * 1000).rounded())
            let inserts = attempts.map { $0.postgresFencedInsert(marginMillis: marginMillis, expiryMillis: $0.expiryMillis) }
            let result: (ids: [Int64], left: Double?)
            do {
                result = try call("begin attempts under the lease") { t in
                    guard let left = try await Self.applyQueued(queued, in: t, fence: fence) else { return ([], nil) }
                    guard left > margin else { return ([], left) }
                    var ids: [Int64] = []
                    for insert in inserts {
                        guard let id = try await t.query(insert).first else {
                            throw PostgresJournalError.badRow(call: "begin attempts", reason: "no id returned")
                        }
                        ids.append(try id.decode(Int64.self))
                    }
                    return (ids, left)
                }
            } catch {
                restore(queued)
                throw error
            }
            guard let left = result.left else {
                fencedOut(fence, dropped: queued.filter { !$0.isOutcome }.count)
                throw PostgresJournalError.leaseLost(epoch: epoch)
            }
            guard left > margin else { throw PostgresJournalError.leaseLost(epoch: epoch) }
            return (result.ids, left - margin)
        }
    }
}

extension AttemptRecord {
    /// The signature's expiry this attempt was journaled with, in milliseconds.
    var expiryMillis: Int64 {
        guard let deadline = effectDeadline.flatMap(JournalTime.parse), let sent = JournalTime.parse(sentAt) else { return 0 }
        return max(0, Int64((deadline.timeIntervalSince(sent) * 1000).rounded()))
    }

    /// The attempt's insert under the lease, its times on the database's clock: sent from the
    /// transaction's `now()`, and able to take effect until the end of the send window (the
    /// lease left minus `marginMillis`) plus `expiryMillis`.
    func postgresFencedInsert(marginMillis: Int64, expiryMillis: Int64) -> PostgresQuery {
        """
        INSERT INTO attempts (planId, instanceId, attempt, kind, sentAt, finishedAt, httpStatus, errorCode, message, requestId,
          outcome, sentBoottimeNs, bootId, effectDeadline)
        SELECT \(planId), \(instanceId), \(attempt), \(kind),
          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), \(finishedAt), \(httpStatus), \(errorCode), \(message),
          \(requestId), \(outcome), \(sentBoottimeNs), \(bootId),
          to_char((expires_at - \(marginMillis) * interval '1 millisecond' + \(expiryMillis) * interval '1 millisecond') AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        FROM lease WHERE id = 1
        RETURNING id
        """
    }
}
