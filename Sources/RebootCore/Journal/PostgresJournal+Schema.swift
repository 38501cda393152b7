import Foundation
import PostgresNIO

/// The PostgreSQL journal's schema: plain SQL migrations, applied in order, each in one
/// transaction under `pg_advisory_xact_lock` (released by the commit or rollback, so it holds
/// behind a transaction-pooling proxy, where a session lock would not), and recorded in
/// `journal_migrations`. Two daemons starting at once apply each migration once: the second
/// waits for the lock, then finds it recorded. Frozen: a change is a new migration.
extension PostgresJournal {
    /// The advisory lock every migration takes (`rebootd` in ASCII).
    static let migrationLockKey = 0x72_6562_6f6f_7464

    /// The migrations, by identifier, in order.
    ///
    /// `v1-sqlite-v9`: the SQLite journal at its migration `v9-zones` (the frozen
    /// `journal-schema/v9-zones.sql`): the same tables, columns, checks, keys and indexes;
    /// INTEGER as BIGINT, REAL as DOUBLE PRECISION, AUTOINCREMENT ids as BIGSERIAL; times stay
    /// TEXT in the journal's format (`JournalTime`). Names are unquoted, so PostgreSQL folds
    /// them to lower case and the same SQL text reads either journal.
    static let migrations: [(id: String, statements: [String])] = [
        (
            "v1-sqlite-v9",
            [
                """
                CREATE TABLE plans (
                  id TEXT PRIMARY KEY, name TEXT NOT NULL, sourceFile TEXT NOT NULL,
                  format TEXT NOT NULL CHECK (format IN ('yaml', 'json')),
                  sha256 TEXT NOT NULL, submitterUid BIGINT NOT NULL, submitterName TEXT NOT NULL, submittedAt TEXT NOT NULL,
                  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'waiting-window', 'waiting-gate', 'succeeded', 'failed', 'cancelled')),
                  parameters TEXT NOT NULL, instanceCount BIGINT NOT NULL, batchCount BIGINT NOT NULL, currentBatch BIGINT NOT NULL,
                  updatedAt TEXT NOT NULL, finishedAt TEXT, reason TEXT,
                  stopRequest TEXT CHECK (stopRequest IN ('halt', 'cancel')),
                  batchDoneBatch BIGINT, batchDoneBoottimeNs BIGINT, batchDoneBootId TEXT, ticket TEXT)
                """,
                "CREATE INDEX plans_sha256 ON plans (sha256)",
                "CREATE INDEX plans_state ON plans (state)",
                """
                CREATE TABLE plan_instances (
                  planId TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE, idx BIGINT NOT NULL,
                  instanceId TEXT NOT NULL, batch BIGINT NOT NULL,
                  state TEXT NOT NULL CHECK (state IN ('pending', 'waiting', 'rebooting', 'rebooted', 'failed', 'skipped', 'cancelled')),
                  attempts BIGINT NOT NULL, conflicts BIGINT NOT NULL, lastError TEXT, lastStatus TEXT,
                  observedNonRunning BOOLEAN NOT NULL, startedAt TEXT, finishedAt TEXT, updatedAt TEXT NOT NULL, zone TEXT,
                  PRIMARY KEY (planId, idx))
                """,
                "CREATE INDEX plan_instances_instanceId ON plan_instances (instanceId)",
                """
                CREATE TABLE attempts (
                  id BIGSERIAL PRIMARY KEY, planId TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
                  instanceId TEXT NOT NULL, attempt BIGINT NOT NULL CHECK (attempt >= 1),
                  kind TEXT NOT NULL CHECK (kind IN ('reboot', 'resend')),
                  sentAt TEXT NOT NULL, finishedAt TEXT, httpStatus BIGINT, errorCode TEXT, message TEXT, requestId TEXT,
                  outcome TEXT CHECK (outcome IN ('accepted', 'conflict', 'throttled', 'transient', 'instanceFatal', 'accountFatal', 'in-doubt', 'applied', 'not-applied', 'unknown')),
                  sentBoottimeNs BIGINT, bootId TEXT, effectDeadline TEXT)
                """,
                "CREATE INDEX attempts_instanceId ON attempts (instanceId)",
                "CREATE INDEX attempts_plan ON attempts (planId, instanceId)",
                """
                CREATE TABLE plan_events (
                  id BIGSERIAL PRIMARY KEY, planId TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
                  at TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL)
                """,
                "CREATE INDEX plan_events_on_planId ON plan_events (planId)",
                """
                CREATE TABLE controls (
                  id BIGSERIAL PRIMARY KEY, planId TEXT NOT NULL, verb TEXT NOT NULL, requestedByUid BIGINT NOT NULL,
                  requestedBy TEXT NOT NULL, requestedAt TEXT NOT NULL, appliedAt TEXT NOT NULL, result TEXT NOT NULL)
                """,
                "CREATE INDEX controls_on_planId ON controls (planId)",
                """
                CREATE TABLE intake (
                  id BIGSERIAL PRIMARY KEY,
                  device BIGINT NOT NULL, inode BIGINT NOT NULL, size BIGINT NOT NULL, mtimeNs BIGINT NOT NULL,
                  sha256 TEXT NOT NULL,
                  planId TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
                  fileName TEXT NOT NULL,
                  state TEXT NOT NULL CHECK (state IN ('moved', 'pending-move')),
                  takenAt TEXT NOT NULL, movedAt TEXT)
                """,
                "CREATE UNIQUE INDEX intake_file ON intake (device, inode, size, mtimeNs, sha256)",
                "CREATE INDEX intake_state ON intake (state)",
                """
                CREATE TABLE intake_stalls (
                  sha256 TEXT PRIMARY KEY, fileName TEXT NOT NULL, seconds DOUBLE PRECISION NOT NULL, recordedAt TEXT NOT NULL)
                """,
                """
                CREATE TABLE daemon_state (
                  key TEXT PRIMARY KEY, value TEXT NOT NULL, detail TEXT NOT NULL, updatedAt TEXT NOT NULL)
                """,
            ]
        ),
        (
            // The leader lease of SPEC §4.16: one row, never deleted, on the database's clock.
            "v2-lease",
            [
                """
                CREATE TABLE lease (
                  id INT PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)
                """,
                "INSERT INTO lease (id, epoch, holder, expires_at) VALUES (1, 0, '', now())",
            ]
        ),
    ]

    /// Applies every migration not yet recorded, one transaction each.
    func migrate() throws {
        // Up to date: nothing to create, so a role without CREATE on the schema (the
        // least-privilege runtime role of docs/operations.md) opens the journal.
        let known = Self.migrations.map(\.id)
        let recorded = try call("read the applied migrations") { t -> [String] in
            guard let exists = try await t.query("SELECT to_regclass('journal_migrations') IS NOT NULL").first,
                try exists.decode(Bool.self)
            else { return [] }
            return try await t.query("SELECT identifier FROM journal_migrations").map { try $0.decode(String.self) }
        }
        if Set(known).isSubset(of: Set(recorded)) { return }
        for migration in Self.migrations {
            let key = Self.migrationLockKey
            try call("migration \(migration.id)", statementTimeout: settings.migrationTimeout) { t in
                try await t.query("SELECT pg_advisory_xact_lock(\(key))")
                // Under the lock: a concurrent CREATE TABLE IF NOT EXISTS can fail on the catalog.
                try await t.query("CREATE TABLE IF NOT EXISTS journal_migrations (identifier TEXT PRIMARY KEY, appliedAt TEXT NOT NULL)")
                let applied = try await t.query("SELECT 1 FROM journal_migrations WHERE identifier = \(migration.id)")
                guard applied.isEmpty else { return }
                for statement in migration.statements { try await t.query(PostgresQuery(unsafeSQL: statement)) }
                try await t.query(
                    """
                    INSERT INTO journal_migrations (identifier, appliedAt)
                    VALUES (\(migration.id), to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                    """)
            }
        }
    }

    /// The migrations this database has recorded, in the order applied.
    public func appliedMigrations() throws -> [String] {
        try call("applied migrations") { t in
            try await t.query("SELECT identifier FROM journal_migrations ORDER BY appliedAt, identifier").map { try $0.decode(String.self) }
        }
    }
}
