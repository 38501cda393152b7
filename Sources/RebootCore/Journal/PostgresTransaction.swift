import Logging
import PostgresNIO

/// One journal call's transaction, as its body sees it: statements run in order on one leased
/// connection, under `SET LOCAL statement_timeout` (per transaction, so it holds behind a
/// transaction-pooling proxy, where a session setting would leak to other clients or be lost),
/// and each tells the waiting caller when its answer is due.
struct PostgresTransaction: Sendable {
    let connection: PostgresConnection
    let statementTimeout: Duration
    /// How much longer than the statement timeout the caller waits for an answer: the server's
    /// cancel and the network.
    let answerGrace: Duration
    /// A session idle inside this transaction longer than this is ended by the server (a
    /// client that vanished mid-call does not hold its row locks).
    let idleTimeout: Duration
    let logger: Logger
    /// Tells the caller the next answer is due within the given bound.
    let expect: @Sendable (Duration) -> Void
    /// Asks the caller whether the commit may be sent (false once it has given up).
    let mayCommit: @Sendable (Duration) -> Bool

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try Task.checkCancellation()
        expect(statementTimeout + answerGrace)
        return try await connection.query(query, logger: logger).collect()
    }

    /// Runs `body` between `BEGIN` and `COMMIT`; rolls back when it throws or when the caller
    /// gave up before the commit. A failed rollback closes the connection, so the pool never
    /// lends a connection in an unknown transaction state.
    func run<T: Sendable>(_ body: @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await query("BEGIN")
        do {
            let statement = String(statementTimeout.milliseconds)
            let idle = String(idleTimeout.milliseconds)
            try await query(
                "SELECT set_config('statement_timeout', \(statement), true), set_config('idle_in_transaction_session_timeout', \(idle), true)"
            )
            let value = try await body(self)
            guard mayCommit(statementTimeout + answerGrace) else { throw CancellationError() }
            _ = try await connection.query("COMMIT", logger: logger).collect()
            return value
        } catch {
            await rollback()
            throw error
        }
    }

    private func rollback() async {
        do {
            _ = try await connection.query("ROLLBACK", logger: logger).collect()
        } catch {
            try? await connection.close()
        }
    }
}
