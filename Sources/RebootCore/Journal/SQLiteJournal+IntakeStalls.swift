import Foundation
import GRDB

/// Migration v4: files whose reading stalled plan intake until the watchdog gave up (issue 8).
/// The watchdog records the file's content hash before it withholds its ping; after the
/// restart systemd makes, intake refuses that content at once, so one file cannot stall the
/// daemon into a restart loop. Nothing is recorded on the normal path.
extension SQLiteJournal {
    static func registerIntakeStalls(_ m: inout DatabaseMigrator) {
        m.registerMigration("v4-intake-stalls") { db in
            try db.execute(
                sql: """
                    CREATE TABLE intake_stalls (
                      sha256 TEXT PRIMARY KEY NOT NULL,
                      fileName TEXT NOT NULL,
                      seconds REAL NOT NULL,
                      recordedAt TEXT NOT NULL);
                    """)
        }
    }

    /// Records that reading this content stalled intake for `seconds`.
    public func recordIntakeStall(sha256: String, fileName: String, seconds: TimeInterval, at: Date) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO intake_stalls (sha256, fileName, seconds, recordedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (sha256) DO UPDATE SET seconds = excluded.seconds, recordedAt = excluded.recordedAt
                    """, arguments: [sha256, fileName, seconds, JournalTime.format(at)])
        }
    }

    /// How long reading this content stalled intake before, if it ever did.
    public func intakeStall(sha256: String) throws -> TimeInterval? {
        try writer.read { db in
            try Double.fetchOne(db, sql: "SELECT seconds FROM intake_stalls WHERE sha256 = ?", arguments: [sha256])
        }
    }

    /// Forgets a stall: the file was finished after all.
    public func clearIntakeStall(sha256: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM intake_stalls WHERE sha256 = ?", arguments: [sha256])
        }
    }
}
