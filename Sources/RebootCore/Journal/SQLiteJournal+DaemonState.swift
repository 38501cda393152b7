import Foundation
import GRDB

/// Migration v6: the daemon's own state, apart from any plan (issue 23). Today one row: the
/// account pause of SPEC §4.5, written in the same commit as the plans it pauses and read at
/// start, so it holds across restarts whatever became of those plans, until `resume --all`.
extension SQLiteJournal {
    static func registerDaemonState(_ m: inout DatabaseMigrator) {
        m.registerMigration("v6-daemon-state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE daemon_state (
                      key TEXT PRIMARY KEY NOT NULL,
                      value TEXT NOT NULL,
                      detail TEXT NOT NULL,
                      updatedAt TEXT NOT NULL);
                    """)
        }
    }

    static let accountPauseKey = "account-pause"

    /// Queues the account pause for the next commit (with the plan states it changes).
    public func setAccountPause(code: String, message: String, at: Date) {
        let time = JournalTime.format(at)
        enqueue { db in
            try db.execute(
                sql: """
                    INSERT INTO daemon_state (key, value, detail, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO NOTHING
                    """, arguments: [Self.accountPauseKey, code, message, time])
        }
    }

    /// Queues the end of the account pause (an operator's `resume --all`) for the next commit.
    public func clearAccountPause() {
        enqueue { db in try db.execute(sql: "DELETE FROM daemon_state WHERE key = ?", arguments: [Self.accountPauseKey]) }
    }

    /// The account pause in force, if any.
    public func accountPause() throws -> AccountPauseRecord? {
        try writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT value, detail, updatedAt FROM daemon_state WHERE key = ?",
                arguments: [Self.accountPauseKey]
            ).map {
                AccountPauseRecord(code: $0["value"], message: $0["detail"], since: $0["updatedAt"])
            }
        }
    }
}
