import Foundation
import GRDB

extension IntakeKey {
    /// The key's columns, in the `intake_file` index's order.
    var arguments: StatementArguments {
        [Int64(bitPattern: device), Int64(bitPattern: inode), size, mtimeNs, sha256]
    }
}

/// Migration v3: the files taken in from the spool (SPEC §3), so that a file that could not be
/// moved out of `incoming/` is recognized and never submitted twice. Frozen: literal SQL only.
extension SQLiteJournal {
    static func registerIntake(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3-intake") { db in
            try db.execute(
                sql: """
                    CREATE TABLE intake (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL, mtimeNs INTEGER NOT NULL,
                      sha256 TEXT NOT NULL,
                      planId TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                      fileName TEXT NOT NULL,
                      state TEXT NOT NULL CHECK (state IN ('moved', 'pending-move')),
                      takenAt TEXT NOT NULL, movedAt TEXT);
                    CREATE UNIQUE INDEX intake_file ON intake (device, inode, size, mtimeNs, sha256);
                    CREATE INDEX intake_state ON intake (state);
                    """)
        }
    }

    /// The write that records `key` as taken in as `planId`, still to be moved (part of the
    /// plan's own insert, so a plan is never in the journal without its file remembered).
    static func intakeInsert(_ key: IntakeKey, planId: String, fileName: String, at: Date) -> @Sendable (Database) throws -> Void {
        let time = JournalTime.format(at)
        return { db in
            try db.execute(
                sql: """
                    INSERT INTO intake (device, inode, size, mtimeNs, sha256, planId, fileName, state, takenAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: key.arguments + [planId, fileName, IntakeRecord.pendingMove, time])
        }
    }

    /// The file taken in with this key, if any.
    public func intake(_ key: IntakeKey) throws -> IntakeRecord? {
        try writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT planId, fileName, state FROM intake
                    WHERE device = ? AND inode = ? AND size = ? AND mtimeNs = ? AND sha256 = ?
                    """, arguments: key.arguments)
        }.map { IntakeRecord(planId: $0["planId"], fileName: $0["fileName"], state: $0["state"]) }
    }

    /// Records that the file has left `incoming/`.
    public func markIntakeMoved(_ key: IntakeKey, at: Date) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE intake SET state = ?, movedAt = ?
                    WHERE device = ? AND inode = ? AND size = ? AND mtimeNs = ? AND sha256 = ?
                    """, arguments: [IntakeRecord.moved, JournalTime.format(at)] + key.arguments)
        }
    }

    /// Files taken in that have not left `incoming/` yet.
    public func pendingIntakes() throws -> [IntakeRecord] {
        try writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT planId, fileName, state FROM intake WHERE state = ? ORDER BY id",
                arguments: [IntakeRecord.pendingMove])
        }.map { IntakeRecord(planId: $0["planId"], fileName: $0["fileName"], state: $0["state"]) }
    }
}
