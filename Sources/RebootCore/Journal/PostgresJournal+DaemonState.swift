import Foundation
import PostgresNIO

/// The daemon's own state (the account pause), the spool's intake and its stalls, as the
/// SQLite journal keeps them (its migrations v3, v4 and v6).
extension PostgresJournal {
    // MARK: Account pause

    /// Queues the account pause, unless one is in force (the first one's start is kept).
    public func setAccountPause(code: String, message: String, at: Date) {
        let time = JournalTime.format(at)
        enqueue(
            PostgresWrite(
                """
                INSERT INTO daemon_state (key, value, detail, updatedAt) VALUES (\(SQLiteJournal.accountPauseKey), \(code), \(message), \(time))
                ON CONFLICT (key) DO NOTHING
                """))
    }

    public func clearAccountPause() {
        enqueue(PostgresWrite("DELETE FROM daemon_state WHERE key = \(SQLiteJournal.accountPauseKey)"))
    }

    public func accountPause() throws -> AccountPauseRecord? {
        try rows("account pause", "SELECT value, detail, updatedAt FROM daemon_state WHERE key = \(SQLiteJournal.accountPauseKey)") {
            let (code, message, since) = try $0.decode((String, String, String).self)
            return AccountPauseRecord(code: code, message: message, since: since)
        }.first
    }

    // MARK: Intake

    /// The insert that records `key` as taken in as `planId`, still to be moved (part of the
    /// plan's own insert).
    static func intakeInsert(_ key: IntakeKey, planId: String, fileName: String, at: Date) -> PostgresQuery {
        let (device, inode) = (Int64(bitPattern: key.device), Int64(bitPattern: key.inode))
        return """
            INSERT INTO intake (device, inode, size, mtimeNs, sha256, planId, fileName, state, takenAt)
            VALUES (\(device), \(inode), \(key.size), \(key.mtimeNs), \(key.sha256), \(planId), \(fileName),
              \(IntakeRecord.pendingMove), \(JournalTime.format(at)))
            """
    }

    public func intake(_ key: IntakeKey) throws -> IntakeRecord? {
        let (device, inode) = (Int64(bitPattern: key.device), Int64(bitPattern: key.inode))
        return try rows(
            "intake",
            """
            SELECT planId, fileName, state FROM intake
            WHERE device = \(device) AND inode = \(inode) AND size = \(key.size) AND mtimeNs = \(key.mtimeNs) AND sha256 = \(key.sha256)
            """, Self.intakeRecord
        ).first
    }

    /// Records that the file has left `incoming/` (at once, as the SQLite journal does).
    public func markIntakeMoved(_ key: IntakeKey, at: Date) throws {
        let (device, inode) = (Int64(bitPattern: key.device), Int64(bitPattern: key.inode))
        let query: PostgresQuery = """
            UPDATE intake SET state = \(IntakeRecord.moved), movedAt = \(JournalTime.format(at))
            WHERE device = \(device) AND inode = \(inode) AND size = \(key.size) AND mtimeNs = \(key.mtimeNs) AND sha256 = \(key.sha256)
            """
        try call("mark intake moved") { t in try await t.query(query) }
    }

    public func pendingIntakes() throws -> [IntakeRecord] {
        try rows(
            "pending intakes", "SELECT planId, fileName, state FROM intake WHERE state = \(IntakeRecord.pendingMove) ORDER BY id",
            Self.intakeRecord)
    }

    static func intakeRecord(_ row: PostgresRow) throws -> IntakeRecord {
        let (planId, fileName, state) = try row.decode((String, String, String).self)
        return IntakeRecord(planId: planId, fileName: fileName, state: state)
    }

    // MARK: Intake stalls

    public func recordIntakeStall(sha256: String, fileName: String, seconds: TimeInterval, at: Date) throws {
        let query: PostgresQuery = """
            INSERT INTO intake_stalls (sha256, fileName, seconds, recordedAt) VALUES (\(sha256), \(fileName), \(seconds), \(JournalTime.format(at)))
            ON CONFLICT (sha256) DO UPDATE SET seconds = excluded.seconds, recordedAt = excluded.recordedAt
            """
        try call("record intake stall") { t in try await t.query(query) }
    }

    public func intakeStall(sha256: String) throws -> TimeInterval? {
        try rows("intake stall", "SELECT seconds FROM intake_stalls WHERE sha256 = \(sha256)") { try $0.decode(Double.self) }.first
    }

    public func clearIntakeStall(sha256: String) throws {
        try call("clear intake stall") { t in try await t.query("DELETE FROM intake_stalls WHERE sha256 = \(sha256)") }
    }
}
