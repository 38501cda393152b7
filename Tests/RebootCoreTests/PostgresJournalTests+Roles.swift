import Foundation
import XCTest

@testable import RebootCore

/// The least-privilege runtime role of docs/operations.md: once an owner migrated the journal,
/// a role with only read and write grants on its tables opens and writes it.
extension PostgresJournalTests {
    func testARoleWithoutCreateOnTheSchemaOpensAJournalAlreadyMigrated() throws {
        let server = try server()
        let database = try server.createDatabase()
        _ = try open(database)  // the owner applies the migrations
        try server.execute(
            """
            CREATE ROLE runtime_\(database) LOGIN;
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO runtime_\(database);
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO runtime_\(database);
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO runtime_\(database);
            """, database: database)
        let runtime = try PostgresJournal(host: server.host, port: server.port, username: "runtime_\(database)", database: database)
        try planWithOneInstance(runtime)
        XCTAssertEqual(try runtime.plans().map(\.id), ["p"])
        XCTAssertNotNil(try runtime.acquireLease(holder: "h", lease: 5))
    }
}
