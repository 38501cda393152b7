import Foundation

/// The lease's statements as the keeper sends them (SPEC §4.16); `PostgresJournal` is the one
/// in use, a fake in tests. Each blocks its caller until the database answers or the statement
/// timeout ends it.
public protocol LeaseStatements: Sendable {
    /// Takes the lease where it expired or was handed back; nil when another holds it.
    func acquireLease(holder: String, lease: TimeInterval) throws -> PostgresJournal.LeaseGrant?
    /// Extends this epoch's live lease; nil when it is another's or expired.
    func renewLease(epoch: Int64, holder: String, lease: TimeInterval) throws -> TimeInterval?
    /// Hands the lease back and tells the standbys.
    func resignLease(epoch: Int64, holder: String) throws
    /// The lease as it stands: epoch, holder, seconds left.
    func lease() throws -> (epoch: Int64, holder: String, remaining: TimeInterval)
}

extension PostgresJournal: LeaseStatements {}
