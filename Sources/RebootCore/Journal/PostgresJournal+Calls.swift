import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// The bridge from the synchronous `JournalStore` to postgres-nio: one transaction per call,
/// run on the journal's executor while the calling thread waits.
extension PostgresJournal {
    /// Runs `body` as one transaction on a leased connection and blocks the calling thread until
    /// it ends. The server cancels any statement longer than `statementTimeout` (the settings'
    /// by default); the caller gives up when no answer came for that plus `answerGrace` (or,
    /// before a connection is leased, `connectTimeout` plus `answerGrace`), and the abandoned
    /// transaction rolls back. Errors come out as `PostgresJournalError`.
    @discardableResult
    func call<T: Sendable>(
        _ name: String, statementTimeout: Duration? = nil, _ body: @escaping @Sendable (PostgresTransaction) async throws -> T
    ) throws -> T {
        precondition(
            MultiThreadedEventLoopGroup.currentEventLoop == nil,
            "the PostgreSQL journal blocks its caller: never call it on an event loop (its answers come on one)")
        let timeout = statementTimeout ?? settings.statementTimeout
        let grace = settings.answerGrace
        let idle = timeout * 2 + grace
        let watch = PostgresCallWatch<T>(firstAnswerWithin: settings.connectTimeout + grace)
        let client = self.client
        let logger = self.logger
        let task = Self.spawn(on: executor) {
            do {
                let value = try await client.withConnection { connection in
                    let transaction = PostgresTransaction(
                        connection: connection, statementTimeout: timeout, answerGrace: grace, idleTimeout: idle, logger: logger,
                        expect: { watch.expectAnswer(within: $0) }, mayCommit: { watch.beginCommit(within: $0) })
                    return try await transaction.run(body)
                }
                watch.finish(.success(value))
            } catch {
                watch.finish(.failure(error))
            }
        }
        switch watch.wait() {
        case .finished(.success(let value)):
            return value
        case .finished(.failure(let error)):
            throw Self.journalError(error, call: name, statementTimeout: timeout)
        case .silent(let seconds, let commitInFlight):
            task.cancel()
            let call = commitInFlight ? "\(name) (its commit was sent: it may have been applied)" : name
            throw PostgresJournalError.noAnswer(call: call, seconds: seconds)
        }
    }

    /// postgres-nio's errors in words (its own description is one generic line).
    static func journalError(_ error: any Error, call: String, statementTimeout: Duration) -> any Error {
        if error is PostgresJournalError { return error }
        guard let error = error as? PSQLError else {
            if error is CancellationError { return PostgresJournalError.connection(call: call, reason: "cancelled (the journal is closed)") }
            return error
        }
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            // 57014 query_canceled: by the statement timeout (the only cancel the journal sends).
            if state == "57014" { return PostgresJournalError.statementTimeout(call: call, seconds: statementTimeout.inSeconds) }
            return PostgresJournalError.server(call: call, sqlState: state, message: info[.message] ?? "error", detail: info[.detail])
        }
        var reason = "\(error.code)"
        if let underlying = error.underlying { reason += ": \(underlying)" }
        return PostgresJournalError.connection(call: call, reason: reason)
    }
}
