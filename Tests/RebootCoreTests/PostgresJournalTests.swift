import Foundation
import GRDB
import PostgresNIO
import RebootTesting
import XCTest

@testable import RebootCore

/// What the PostgreSQL journal adds to the store contract: its schema is the SQLite journal's,
/// migrations are safe when several daemons start at once, and a statement past the timeout
/// (or a database that does not answer) fails the call fast, with an error that says so.
final class PostgresJournalTests: XCTestCase {
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

    func server() throws -> TestPostgres { try XCTUnwrap(Self.server).get() }

    func open(_ database: String, _ change: (inout PostgresJournal.Settings) -> Void = { _ in }) throws -> PostgresJournal {
        let server = try server()
        var settings = PostgresJournal.Settings()
        change(&settings)
        return try PostgresJournal(host: server.host, port: server.port, username: server.username, database: database, settings: settings)
    }

    func testTheServerStartsInAboutASecond() throws {
        let server = try server()
        XCTAssertLessThan(server.startSeconds, 10, "initdb and pg_ctl start took \(server.startSeconds) s")
        print("TestPostgres started in \(String(format: "%.2f", server.startSeconds)) s on port \(server.port)")
    }

    /// Without PostgreSQL's programs the fixture fails, and says how to get them: the tests
    /// that need it fail with this (never skip).
    func testMissingPostgreSQLFailsNamingMakeBootstrapTest() {
        XCTAssertThrowsError(try TestPostgres.start(binDirectory: "/nonexistent/postgresql/15/bin")) { error in
            XCTAssertTrue("\(error)".contains("run `make bootstrap-test`"), "\(error)")
            XCTAssertTrue("\(error)".contains("/nonexistent/postgresql/15/bin/initdb is missing"), "\(error)")
        }
    }

    /// The same tables and columns as the SQLite journal at its latest migration; PostgreSQL
    /// folds the unquoted names to lower case.
    func testTheSchemaHasTheSQLiteJournalsTablesAndColumns() throws {
        let journal = try open(try server().createDatabase())
        let postgres = try journal.call("columns") { t in
            try await t.query(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('journal_migrations', 'lease')"
            ).map { row -> String in
                let (table, column) = try row.decode((String, String).self)
                return "\(table).\(column)"
            }
        }
        let sqlite = try SQLiteJournal().writer.read { db in
            var columns: [String] = []
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('grdb_migrations', 'sqlite_sequence')")
            {
                for column in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))") {
                    columns.append("\(table).\((column["name"] as String).lowercased())")
                }
            }
            return columns
        }
        XCTAssertGreaterThan(sqlite.count, 60)
        XCTAssertEqual(Set(postgres), Set(sqlite))
        XCTAssertEqual(try journal.appliedMigrations(), ["v1-sqlite-v9", "v2-lease"])
    }

    /// Daemons starting at once on a new database: each migration is applied once, under the
    /// advisory transaction lock, and no store fails (without the lock, the second CREATE TABLE
    /// fails). Several rounds, four stores each.
    func testStoresMigratingOneDatabaseAtOnceAllSucceed() throws {
        let server = try server()
        for _ in 0..<5 {
            let database = try server.createDatabase()
            final class Results: @unchecked Sendable {
                let lock = NSLock()
                var lines: [String] = []
                func add(_ line: String) { lock.withLock { lines.append(line) } }
            }
            let results = Results()
            let (host, port, user) = (server.host, server.port, server.username)
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let journal = try PostgresJournal(host: host, port: port, username: user, database: database)
                    results.add(try journal.appliedMigrations().joined(separator: ","))
                } catch {
                    results.add("error: \(error)")
                }
            }
            XCTAssertEqual(results.lines, Array(repeating: "v1-sqlite-v9,v2-lease", count: 4))
        }
    }

    /// A statement that runs past the statement timeout is cancelled by the server: the call
    /// throws `statementTimeout` at once, and a flush that failed so keeps its writes.
    func testAStatementPastTheTimeoutFailsFastWithAClearError() throws {
        let database = try server().createDatabase()
        let journal = try open(database) { $0.statementTimeout = .milliseconds(300) }
        let started = Date()
        XCTAssertThrowsError(try journal.call("sleep") { t in try await t.query("SELECT pg_sleep(5)") }) { error in
            XCTAssertEqual(error as? PostgresJournalError, .statementTimeout(call: "sleep", seconds: 0.3))
            XCTAssertTrue("\(error)".contains("statement timeout (0.3 s)"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "failed fast")

        // A row another transaction holds: the flush's update waits for its lock until the timeout.
        let plan = try PlanParser().parse("name: p\nbatchSize: 1\ninstances: [i-a]\n", fileName: "p.yaml", format: .yaml)
        let record = PlanRecord(
            id: "a", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "s", submitterUid: 0, submitterName: "ops",
            submittedAt: JournalTime.format(Date()), state: "queued",
            parameters: String(decoding: try JSONEncoder().encode(plan), as: UTF8.self), instanceCount: 1, batchCount: 1,
            currentBatch: -1, updatedAt: JournalTime.format(Date()))
        let submitted = PlanEventRecord(planId: "a", at: record.submittedAt, kind: "submitted", detail: "")
        try journal.insertPlan(record, instances: [PlanInstanceRecord](), event: submitted)
        let holder = try open(database) { $0.statementTimeout = .seconds(5) }
        let locked = DispatchSemaphore(value: 0)
        let held = DispatchQueue(label: "holder")
        held.async {
            try? holder.call("hold the plan's row") { t in
                try await t.query("SELECT id FROM plans WHERE id = 'a' FOR UPDATE")
                locked.signal()
                try await t.query("SELECT pg_sleep(2)")
            }
        }
        XCTAssertEqual(locked.wait(timeout: .now() + 10), .success)
        journal.updatePlan(id: "a", state: "running", currentBatch: 0, at: Date(), finished: false, reason: nil)
        let flushed = Date()
        XCTAssertThrowsError(try journal.flush()) { error in
            XCTAssertEqual(error as? PostgresJournalError, .statementTimeout(call: "flush", seconds: 0.3))
        }
        XCTAssertLessThan(Date().timeIntervalSince(flushed), 1.5)
        XCTAssertTrue(journal.hasPendingWrites, "the failed flush kept its write")
        held.sync {}
        try journal.flush()
        XCTAssertEqual(try journal.plan(id: "a")?.state, "running")
    }

    /// Callers that block every thread of Swift's cooperative pool (a service's `run()` calling
    /// the journal) do not starve the journal's own work: it runs on the journal's executor.
    func testCallsBlockingEveryCooperativeThreadAtOnceAllAnswer() throws {
        let journal = try open(try server().createDatabase())
        final class Answers: @unchecked Sendable {
            let lock = NSLock()
            var lines: [String] = []
            func add(_ line: String) { lock.withLock { lines.append(line) } }
        }
        let answers = Answers()
        let done = DispatchGroup()
        let callers = ProcessInfo.processInfo.activeProcessorCount * 4
        for _ in 0..<callers {
            done.enter()
            Task.detached {
                do { answers.add("plans: \(try journal.plans().count)") } catch { answers.add("error: \(error)") }
                done.leave()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(answers.lines, Array(repeating: "plans: 0", count: callers))
    }

    /// A database that accepts the connection and then says nothing: the caller stops waiting
    /// after the connect timeout plus the grace, with an error that says so.
    func testADatabaseThatNeverAnswersFailsTheCallWithinItsBound() throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var settings = PostgresJournal.Settings()
        settings.connectTimeout = .milliseconds(500)
        settings.answerGrace = .milliseconds(500)
        let started = Date()
        XCTAssertThrowsError(
            try PostgresJournal(host: "127.0.0.1", port: listener.port, username: "postgres", database: "none", settings: settings)
        ) { error in
            guard case .noAnswer(let call, let seconds)? = error as? PostgresJournalError else {
                return XCTFail("not noAnswer: \(error)")
            }
            XCTAssertEqual(call, "read the applied migrations", "the first call of an open")
            XCTAssertGreaterThanOrEqual(seconds, 0.9)
            XCTAssertTrue("\(error)".contains("no answer from the database"), "\(error)")
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 3)
    }
}
