import Foundation
import XCTest

@testable import RebootCore

/// The store conformance suite on `SQLiteJournal` opened on a file, as the daemon opens it:
/// WAL mode, a pool of connections (reads on their own connection).
final class SQLiteFileJournalStoreTests: JournalStoreConformanceTests {
    /// One directory per store the contract made.
    var directories: [URL] = []

    override func makeStore() throws -> any JournalStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        directories.append(dir)
        return try SQLiteJournal(path: dir.appendingPathComponent("journal.sqlite").path, readChunkRows: 4)
    }

    override func tearDown() {
        super.tearDown()
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
    }

    func testTheWholeContract() { runContract() }
}
