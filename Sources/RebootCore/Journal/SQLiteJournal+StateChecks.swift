import Foundation
import GRDB

/// Migration v2: states are stored as fixed words that the schema checks (SPEC §5), and a plan
/// remembers a halt or a cancel (`stopRequest`) so that it holds across restarts.
/// SQLite cannot add a CHECK to a column, so the three tables are rebuilt and copied (GRDB runs
/// migrations with foreign keys deferred and checked at the end). Frozen: the words are written
/// out, so that a later change of `PlanState` or `InstanceState` cannot change this migration.
extension SQLiteJournal {
    static func registerStateChecks(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-state-checks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE plans_v2 (
                      id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, sourceFile TEXT NOT NULL, format TEXT NOT NULL
                        CHECK (format IN ('yaml', 'json')),
                      sha256 TEXT NOT NULL, submitterUid INTEGER NOT NULL, submitterName TEXT NOT NULL,
                      submittedAt TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'waiting-window', 'waiting-gate', 'succeeded', 'failed', 'cancelled')),
                      parameters TEXT NOT NULL, instanceCount INTEGER NOT NULL, batchCount INTEGER NOT NULL,
                      currentBatch INTEGER NOT NULL, updatedAt TEXT NOT NULL, finishedAt TEXT, reason TEXT,
                      stopRequest TEXT CHECK (stopRequest IN ('halt', 'cancel')));
                    INSERT INTO plans_v2 SELECT id, name, sourceFile, format, sha256, submitterUid, submitterName, submittedAt,
                      state, parameters, instanceCount, batchCount, currentBatch, updatedAt, finishedAt, reason, NULL FROM plans;
                    DROP TABLE plans;
                    ALTER TABLE plans_v2 RENAME TO plans;
                    CREATE INDEX plans_sha256 ON plans(sha256);
                    CREATE INDEX plans_state ON plans(state);

                    CREATE TABLE plan_instances_v2 (
                      planId TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
                      instanceId TEXT NOT NULL, batch INTEGER NOT NULL,
                      state TEXT NOT NULL CHECK (state IN ('pending', 'waiting', 'rebooting', 'rebooted', 'failed', 'skipped', 'cancelled')),
                      attempts INTEGER NOT NULL, conflicts INTEGER NOT NULL, lastError TEXT, lastStatus TEXT,
                      observedNonRunning BOOLEAN NOT NULL, startedAt TEXT, finishedAt TEXT, updatedAt TEXT NOT NULL,
                      PRIMARY KEY (planId, idx));
                    INSERT INTO plan_instances_v2 SELECT planId, idx, instanceId, batch, state, attempts, conflicts, lastError,
                      lastStatus, observedNonRunning, startedAt, finishedAt, updatedAt FROM plan_instances;
                    DROP TABLE plan_instances;
                    ALTER TABLE plan_instances_v2 RENAME TO plan_instances;
                    CREATE INDEX plan_instances_instanceId ON plan_instances(instanceId);

                    CREATE TABLE attempts_v2 (
                      id INTEGER PRIMARY KEY AUTOINCREMENT, planId TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                      instanceId TEXT NOT NULL, attempt INTEGER NOT NULL CHECK (attempt >= 1),
                      kind TEXT NOT NULL CHECK (kind IN ('reboot', 'resend')),
                      sentAt TEXT NOT NULL, finishedAt TEXT, httpStatus INTEGER, errorCode TEXT, message TEXT, requestId TEXT,
                      outcome TEXT CHECK (outcome IN ('accepted', 'conflict', 'throttled', 'transient', 'instanceFatal', 'accountFatal', 'in-doubt', 'applied', 'not-applied', 'unknown')));
                    INSERT INTO attempts_v2 SELECT id, planId, instanceId, attempt, kind, sentAt, finishedAt, httpStatus,
                      errorCode, message, requestId, outcome FROM attempts;
                    DROP TABLE attempts;
                    ALTER TABLE attempts_v2 RENAME TO attempts;
                    CREATE INDEX attempts_instanceId ON attempts(instanceId);
                    CREATE INDEX attempts_plan ON attempts(planId, instanceId);
                    """)
        }
    }
}
