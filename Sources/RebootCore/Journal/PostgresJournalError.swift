import Foundation

/// Why a call to the PostgreSQL journal failed, in words an operator can act on. postgres-nio's
/// own error prints only a generic line (so as not to leak a query), so the server's SQLSTATE
/// and message are kept here.
public enum PostgresJournalError: Error, Equatable, CustomStringConvertible {
    /// The server cancelled a statement that ran longer than the statement timeout.
    case statementTimeout(call: String, seconds: Double)
    /// The database answered nothing for this long (a dead server or network): the calling
    /// thread stopped waiting. A commit in flight may still have been applied.
    case noAnswer(call: String, seconds: Double)
    /// The server refused a statement (a constraint, a syntax error, a lost lock…).
    case server(call: String, sqlState: String, message: String, detail: String?)
    /// No connection, or the connection was lost.
    case connection(call: String, reason: String)
    /// An update found no row to change (the SQLite journal's `recordNotFound`).
    case rowNotFound(table: String, key: String)
    /// A row did not decode as the journal wrote it.
    case badRow(call: String, reason: String)
    /// This host no longer holds `epoch`'s lease with enough left (SPEC §4.16): no attempt was
    /// journaled, and no call may be sent.
    case leaseLost(epoch: Int64)
    /// This host stands by (SPEC §4.16): it journals no attempt and sends no reboot call.
    case notLeader

    public var description: String {
        switch self {
        case .statementTimeout(let call, let seconds):
            return "journal (PostgreSQL): \(call): a statement ran past the statement timeout (\(Self.format(seconds)) s) and was cancelled"
        case .noAnswer(let call, let seconds):
            return "journal (PostgreSQL): \(call): no answer from the database for \(Self.format(seconds)) s; gave up waiting"
        case .server(let call, let sqlState, let message, let detail):
            return "journal (PostgreSQL): \(call): \(message) (SQLSTATE \(sqlState))" + (detail.map { ": \($0)" } ?? "")
        case .connection(let call, let reason):
            return "journal (PostgreSQL): \(call): \(reason)"
        case .rowNotFound(let table, let key):
            return "journal (PostgreSQL): no row in \(table) for \(key)"
        case .badRow(let call, let reason):
            return "journal (PostgreSQL): \(call): unreadable row: \(reason)"
        case .leaseLost(let epoch):
            return "journal (PostgreSQL): the lease of epoch \(epoch) is no longer held with time to spare: no reboot call is sent"
        case .notLeader:
            return "journal (PostgreSQL): this host stands by: no reboot call is sent"
        }
    }

    static func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
}
