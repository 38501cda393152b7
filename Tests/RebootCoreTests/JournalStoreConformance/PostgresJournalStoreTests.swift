import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// The store conformance suite on `PostgresJournal`, each check on a new database of a
/// PostgreSQL 15 server the class starts (`TestPostgres`) and stops. Without Debian's
/// `postgresql-15` every test fails, naming `make bootstrap-test`.
final class PostgresJournalStoreTests: JournalStoreConformanceTests {
    nonisolated(unsafe) static var server: Result<TestPostgres, any Error>?

    override class func setUp() {
        super.setUp()
        server = Result { try TestPostgres.start() }
    }

    override class func tearDown() {
        (try? server?.get())?.stop()
        server = nil
        super.tearDown()
    }

    override func makeStore() throws -> any JournalStore {
        let server = try XCTUnwrap(Self.server).get()
        var settings = PostgresJournal.Settings()
        // Small chunks, so that `forEachInstanceChunk` reads more than one, and a plan's rows go
        // in as several inserts, full and partial.
        settings.readChunkRows = 4
        settings.insertChunkRows = 2
        return try PostgresJournal(
            host: server.host, port: server.port, username: server.username, database: try server.createDatabase(), settings: settings)
    }

    func testTheWholeContract() { runContract() }
}
