import Foundation
import PostgresNIO

/// The leader lease of SPEC §4.16 on the database's clock only: one row (`epoch`, `holder`,
/// `expires_at`), never deleted. Taking it raises the epoch, and only where it expired (or was
/// handed back); a renewal succeeds only for the same epoch and holder *and* while it has not
/// expired: a lease that lapsed unseen needs a new epoch (the River and Oban regression). Each
/// answer carries how long the lease has left by the database's clock; what this host trusts
/// of it is `LeaseMachine`'s to decide.
extension PostgresJournal {
    /// A lease this holder took or kept: its epoch and the seconds it has left.
    public struct LeaseGrant: Sendable, Equatable {
        public let epoch: Int64
        public let remaining: TimeInterval
        /// The database's clock when it granted the lease (a takeover measures the old
        /// epoch's attempts with it).
        public var databaseNow = Date(timeIntervalSince1970: 0)
    }

    /// Takes the lease for `holder` for `lease` seconds when it expired or was handed back;
    /// nil when another holder's lease is live.
    public func acquireLease(holder: String, lease: TimeInterval) throws -> LeaseGrant? {
        let millis = Int64((lease * 1000).rounded())
        return try call("acquire the lease") { t in
            try await t.query(
                """
                UPDATE lease SET epoch = epoch + 1, holder = \(holder), expires_at = now() + \(millis) * interval '1 millisecond'
                WHERE id = 1 AND expires_at <= now()
                RETURNING epoch, EXTRACT(EPOCH FROM expires_at - now())::float8, EXTRACT(EPOCH FROM now())::float8
                """
            ).first.map { row in
                let (epoch, remaining, now) = try row.decode((Int64, Double, Double).self)
                return LeaseGrant(epoch: epoch, remaining: remaining, databaseNow: Date(timeIntervalSince1970: now))
            }
        }
    }

    /// Extends `epoch`'s lease held by `holder` to `lease` seconds from the database's now; nil
    /// when it is another's, or lapsed (a new epoch is needed: `acquireLease`).
    public func renewLease(epoch: Int64, holder: String, lease: TimeInterval) throws -> TimeInterval? {
        let millis = Int64((lease * 1000).rounded())
        return try call("renew the lease") { t in
            try await t.query(
                """
                UPDATE lease SET expires_at = now() + \(millis) * interval '1 millisecond'
                WHERE id = 1 AND epoch = \(epoch) AND holder = \(holder) AND expires_at > now()
                RETURNING EXTRACT(EPOCH FROM expires_at - now())::float8
                """
            ).first.map { try $0.decode(Double.self) }
        }
    }

    /// Hands `epoch`'s lease back (a clean stop), so that a standby takes it at once; tells
    /// the standbys (`NOTIFY rebootd_lease`). Nothing when it is no longer this holder's.
    public func resignLease(epoch: Int64, holder: String) throws {
        try call("resign the lease") { t in
            let rows = try await t.query(
                "UPDATE lease SET expires_at = now() WHERE id = 1 AND epoch = \(epoch) AND holder = \(holder) RETURNING epoch")
            if !rows.isEmpty { try await t.query("NOTIFY rebootd_lease") }
        }
    }

    /// The lease as it stands: its epoch, its holder and the seconds it has left (negative:
    /// expired).
    public func lease() throws -> (epoch: Int64, holder: String, remaining: TimeInterval) {
        try call("read the lease") { t in
            guard let row = try await t.query("SELECT epoch, holder, EXTRACT(EPOCH FROM expires_at - now())::float8 FROM lease WHERE id = 1").first
            else { throw PostgresJournalError.connection(call: "read the lease", reason: "the lease row is missing") }
            let (epoch, holder, remaining) = try row.decode((Int64, String, Double).self)
            return (epoch, holder, remaining)
        }
    }

    /// Wakes `wake` whenever a leader hands the lease back (`NOTIFY rebootd_lease`), until the
    /// task is cancelled. It holds one connection with a session `LISTEN`: behind a
    /// transaction-pooling proxy it hears nothing, and the standbys' polling (every
    /// `renewEvery`) still takes over.
    public func listenForHandover(_ wake: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        let client = self.client
        return Self.spawn(on: executor) {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: "rebootd_lease") { notifications in
                            for try await _ in notifications { wake() }
                        }
                    }
                } catch {}
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
