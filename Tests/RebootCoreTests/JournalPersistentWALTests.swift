import Foundation
import XCTest

@testable import RebootCore

/// Operators' rebootctl reads the journal with group read access only. SQLite opens a WAL
/// database read-only only while its -wal and -shm files exist (it cannot create them in a
/// directory it may not write), so the daemon keeps them when it closes the journal.
final class JournalPersistentWALTests: XCTestCase {
    func testWALFilesOutliveTheWriterAndAReadOnlyReaderStillReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wal-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.sqlite").path
        do {
            let journal = try SQLiteJournal(path: path)
            XCTAssertEqual(try journal.plans().count, 0)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-wal"), "-wal kept after the writer closed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-shm"), "-shm kept after the writer closed")
        // The directory and files made read-only, as an operator in rebootd-submit sees them (as
        // root this is not enforced; scripts/first_start.sh reads as a real non-root operator).
        chmod(dir.path, 0o555)
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o444) }
        defer { chmod(dir.path, 0o755) }
        let reader = try SQLiteJournal(readOnlyPath: path)
        XCTAssertEqual(try reader.plans().count, 0)
    }
}
