import Foundation
import GRDB
import XCTest

@testable import RebootCore

/// The migrations are frozen: a new journal's schema is, byte for byte, the one they made when
/// they were written (`Fixtures/journal-schema/`, taken with `sqlite3` from a journal made
/// before the journal went behind `JournalStore`; the file of the latest migration replaces the
/// one before, and differs from it only by what the migrations since add). A change to an app type (a state added to
/// `PlanState`, say) must come as a new migration, never as a change of one that already ran.
/// Migrations run in the order they were registered, which is the order they landed: v8-ticket
/// was named before v9-zones landed, and runs after it.
final class JournalSchemaTests: XCTestCase {
    func testTheMigrationsMakeTheFrozenSchema() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/journal-schema/v8-ticket.sql")
        let expected = try String(contentsOf: fixture, encoding: .utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try SQLiteJournal(path: dir.appendingPathComponent("journal.sqlite").path)
        let schema = try journal.writer.read { db in
            try String.fetchAll(db, sql: "SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")
        }
        XCTAssertEqual(schema.joined(separator: "\n") + "\n", expected)
        let migrations = try journal.writer.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        XCTAssertEqual(
            migrations,
            [
                "v1", "v2-state-checks", "v3-intake", "v4-intake-stalls", "v5-attempt-evidence", "v6-daemon-state",
                "v7-batch-done-boot", "v9-zones", "v8-ticket",
            ])
    }
}
