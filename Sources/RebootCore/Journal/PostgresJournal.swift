import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// The journal on PostgreSQL 15+ (SPEC §5, issue 27): the SQLite journal's tables and rules on
/// a server that several hosts can share. Its migrations are plain SQL, each applied in one
/// transaction under `pg_advisory_xact_lock` (never a session lock: those break behind
/// transaction-pooling proxies).
///
/// `JournalStore` is synchronous and the scheduler calls it from its queue: each call runs as
/// one transaction in a task on the journal's own executor (`PostgresJournalExecutor`), and the
/// calling thread blocks until it ends. Every transaction sets `statement_timeout`; the caller
/// stops waiting when the database has answered nothing for the statement timeout plus a grace
/// (`PostgresJournalError.noAnswer`). Never call it on an event-loop thread.
///
/// The client's `run()` runs in a task the journal owns, from `init` until `close()` (or the
/// journal's release). Under a lease (`fence`, SPEC §4.16) a host that does not lead commits
/// only attempts' outcomes.
public final class PostgresJournal: JournalStore, @unchecked Sendable {
    /// Timeouts and sizes.
    public struct Settings: Sendable {
        /// The server cancels any statement that runs longer (SPEC §4.16's default, 2 s).
        public var statementTimeout: Duration = .seconds(2)
        /// How long a connection may take to be made.
        public var connectTimeout: Duration = .seconds(5)
        /// How much longer than the statement timeout the caller waits for an answer.
        public var answerGrace: Duration = .seconds(1)
        /// The statement timeout while migrating (a migration may rewrite a large table).
        public var migrationTimeout: Duration = .seconds(120)
        /// How many instance rows `forEachInstanceChunk` reads at a time.
        public var readChunkRows = 4096
        /// How many rows one multi-row insert carries.
        public var insertChunkRows = 1000
        /// The connections the client may open.
        public var maximumConnections = 4

        public init() {}
    }

    public let settings: Settings
    /// How many instance rows `forEachInstanceChunk` reads at a time.
    public var readChunkRows: Int { settings.readChunkRows }
    let client: PostgresClient
    let logger: Logger
    /// The journal's `PostgresJournalExecutor` (any Sendable: the type needs macOS 15).
    let executor: (any Sendable)?
    private let runTask: Task<Void, Never>
    /// Writes queued by the scheduler, committed together, in order, by `flush()`.
    var pending: [PostgresWrite] = []
    let pendingLock = NSLock()
    /// Who may write plan state (SPEC §4.16); `unfenced` unless the daemon leads or stands by.
    var fenceState: LeaseFence = .unfenced
    /// Called (on the journal caller's thread) when a transaction found that the lease it was
    /// fenced by is gone: the caller's leadership has ended.
    var onFencedOut: (@Sendable (Int64) -> Void)?

    /// Opens the journal on `configuration`'s database and applies any missing migration.
    /// `logger` receives the client's background messages (connections made and lost).
    public init(
        configuration: PostgresClient.Configuration, settings: Settings = Settings(),
        logger: Logger = Logger(label: "rebootd.journal.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        var configuration = configuration
        configuration.options.connectTimeout = settings.connectTimeout
        configuration.options.maximumConnections = max(1, settings.maximumConnections)
        var s = settings
        s.readChunkRows = max(1, settings.readChunkRows)
        s.insertChunkRows = min(max(1, settings.insertChunkRows), 4000)
        self.settings = s
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        if #available(macOS 15, *) { executor = PostgresJournalExecutor() } else { executor = nil }
        runTask = Self.spawn(on: executor) { await client.run() }
        do {
            try migrate()
        } catch {
            runTask.cancel()
            throw error
        }
    }

    /// Opens the journal on `database` at `host:port` as `username`, without TLS (tests and
    /// loopback servers).
    public convenience init(
        host: String, port: Int, username: String, password: String? = nil, database: String, settings: Settings = Settings()
    ) throws {
        try self.init(
            configuration: PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: .disable),
            settings: settings)
    }

    /// Starts `operation` on the journal's executor (Swift's default one before macOS 15).
    static func spawn(on executor: (any Sendable)?, _ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        if #available(macOS 15, *), let executor = executor as? PostgresJournalExecutor {
            return Task(executorPreference: executor, operation: operation)
        }
        return Task(operation: operation)
    }

    /// Ends the client's connections. Calls after this fail.
    public func close() {
        runTask.cancel()
    }

    deinit {
        runTask.cancel()
    }
}
