import Foundation
import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#endif

/// The SQLite journal (SPEC §5): plans, their instances, every reboot attempt, plan events and
/// control commands. WAL mode, schema by `DatabaseMigrator`. The daemon writes; `rebootctl`
/// opens it read-only and reads concurrently. The `JournalStore` the daemon runs on; opening
/// it (a path, read-only, in memory) and raw SQL access (`writer`, `enqueue`) are its own.
public final class SQLiteJournal: JournalStore, @unchecked Sendable {
    public let writer: any DatabaseWriter
    /// Writes queued by the scheduler, committed together by `flush()`.
    var pending: [@Sendable (Database) throws -> Void] = []
    let pendingLock = NSLock()

    /// The page cache of each of the daemon's connections, in KiB.
    static let pageCacheKiB = 512
    /// How many instance rows `forEachInstanceChunk` reads at a time.
    public let readChunkRows: Int

    /// Opens (creating if needed) the journal at `path` for writing.
    public init(path: String, readChunkRows: Int = 4096) throws {
        self.readChunkRows = max(1, readChunkRows)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(5)
        // SPEC §4.8: an attempt is committed durably before its call is sent.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Each connection's page cache, in KiB (SQLite's default is 2,000). The journal
            // appends and updates rows by key; the pages it reads again are a B-tree's upper
            // levels. A 100,000-instance plan filled the writer's and a reader's default
            // caches with its rows and parameters, 4 MB that rebootd kept (issue 10); the pool
            // may open more readers, each with its own cache.
            try db.execute(sql: "PRAGMA cache_size = -\(SQLiteJournal.pageCacheKiB)")
            // Keep -wal and -shm when the daemon closes the journal: operators' rebootctl reads
            // it with group read access only, and SQLite can open a WAL database read-only only
            // while those files exist (it cannot create them in a directory it may not write).
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        }
        writer = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(writer)
    }

    /// An in-memory journal, for tests.
    public init(readChunkRows: Int = 4096) throws {
        self.readChunkRows = max(1, readChunkRows)
        writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
    }

    /// Opens an existing journal read-only (for `rebootctl`).
    public init(readOnlyPath path: String) throws {
        readChunkRows = 4096
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        writer = try DatabasePool(path: path, configuration: config)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "plans") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("sourceFile", .text).notNull()
                t.column("format", .text).notNull()
                t.column("sha256", .text).notNull().indexed()
                t.column("submitterUid", .integer).notNull()
                t.column("submitterName", .text).notNull()
                t.column("submittedAt", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("parameters", .text).notNull()
                t.column("instanceCount", .integer).notNull()
                t.column("batchCount", .integer).notNull()
                t.column("currentBatch", .integer).notNull()
                t.column("updatedAt", .text).notNull()
                t.column("finishedAt", .text)
                t.column("reason", .text)
            }
            try db.create(table: "plan_instances") { t in
                t.column("planId", .text).notNull().references("plans", onDelete: .cascade)
                t.column("idx", .integer).notNull()
                t.column("instanceId", .text).notNull().indexed()
                t.column("batch", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("conflicts", .integer).notNull()
                t.column("lastError", .text)
                t.column("lastStatus", .text)
                t.column("observedNonRunning", .boolean).notNull()
                t.column("startedAt", .text)
                t.column("finishedAt", .text)
                t.column("updatedAt", .text).notNull()
                t.primaryKey(["planId", "idx"])
            }
            try db.create(table: "attempts") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("planId", .text).notNull().references("plans", onDelete: .cascade)
                t.column("instanceId", .text).notNull().indexed()
                t.column("attempt", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("sentAt", .text).notNull()
                t.column("finishedAt", .text)
                t.column("httpStatus", .integer)
                t.column("errorCode", .text)
                t.column("message", .text)
                t.column("requestId", .text)
                t.column("outcome", .text)
            }
            try db.create(index: "attempts_plan", on: "attempts", columns: ["planId", "instanceId"])
            try db.create(table: "plan_events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("planId", .text).notNull().references("plans", onDelete: .cascade).indexed()
                t.column("at", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("detail", .text).notNull()
            }
            try db.create(table: "controls") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("planId", .text).notNull().indexed()
                t.column("verb", .text).notNull()
                t.column("requestedByUid", .integer).notNull()
                t.column("requestedBy", .text).notNull()
                t.column("requestedAt", .text).notNull()
                t.column("appliedAt", .text).notNull()
                t.column("result", .text).notNull()
            }
        }
        registerStateChecks(&m)
        registerIntake(&m)
        registerIntakeStalls(&m)
        registerAttemptEvidence(&m)
        registerDaemonState(&m)
        registerBatchDone(&m)
        registerZones(&m)
        registerTicket(&m)
        return m
    }

    /// The plan states that count as active (SPEC §3).
    public static let activeStates = PlanState.allCases.filter { !$0.isTerminal }.map(\.rawValue)
}
