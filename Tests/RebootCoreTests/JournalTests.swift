import Foundation
import GRDB
import XCTest

@testable import RebootCore

/// The journal keeps queued writes when a commit fails, and reads concurrently from a second
/// (read-only) connection while the first writes.
final class JournalTests: XCTestCase {
    final class Flaky: @unchecked Sendable { var failures = 1 }

    /// A plan row "p" for events to hang on.
    func addPlan(_ journal: SQLiteJournal) throws {
        let t = JournalTime.format(Date())
        try journal.insertPlan(
            PlanRecord(
                id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "x", submitterUid: 0,
                submitterName: "root", submittedAt: t, state: "queued", parameters: "{}", instanceCount: 0,
                batchCount: 0, currentBatch: -1, updatedAt: t, finishedAt: nil, reason: nil),
            instances: [], event: PlanEventRecord(id: nil, planId: "p", at: t, kind: "submitted", detail: "test"))
    }

    func testFailedFlushKeepsTheWritesForTheNextOne() throws {
        let journal = try SQLiteJournal()
        try addPlan(journal)
        let flaky = Flaky()
        journal.addEvent(planId: "p", at: Date(), kind: "a", detail: "first")
        journal.enqueue { _ in
            if flaky.failures > 0 {
                flaky.failures -= 1
                throw DatabaseError(resultCode: .SQLITE_FULL)
            }
        }
        XCTAssertThrowsError(try journal.flush())
        journal.addEvent(planId: "p", at: Date(), kind: "b", detail: "second")
        try journal.flush()
        XCTAssertEqual(try journal.events(planId: "p").map(\.detail), ["test", "first", "second"], "kept, in order")
        XCTAssertFalse(journal.hasPending)
    }

    /// The heads of active plans are the full records without their parameters (the scheduler
    /// reads those for one plan when it starts it); finished plans are not among them.
    func testActivePlanHeadsLeaveOutTheParametersAndFinishedPlans() throws {
        let journal = try SQLiteJournal()
        let t = JournalTime.format(Date())
        let plan = try PlanParser().parse("name: heads\nbatchSize: 2\ninstances: [i-a, i-b, i-c]\n", fileName: "h.yaml", format: .yaml)
        let parameters = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        func record(_ id: String, state: String) -> PlanRecord {
            PlanRecord(
                id: id, name: "heads", sourceFile: "h.yaml", format: "yaml", sha256: "sha-\(id)", submitterUid: 7,
                submitterName: "ops", submittedAt: t, state: state, parameters: parameters, instanceCount: 3,
                batchCount: 2, currentBatch: 1, updatedAt: t, finishedAt: nil, reason: "why", stopRequest: "halt")
        }
        for (id, state) in [("a", "running"), ("b", "succeeded"), ("c", "queued")] {
            try journal.insertPlan(
                record(id, state: state), instances: [],
                event: PlanEventRecord(id: nil, planId: id, at: t, kind: "submitted", detail: "test"))
        }
        var expected = [record("a", state: "running"), record("c", state: "queued")]
        XCTAssertEqual(try journal.activePlans(), expected)
        for i in expected.indices { expected[i].parameters = "" }
        XCTAssertEqual(try journal.activePlanHeads(), expected)
        XCTAssertEqual(try journal.activeHashes(), ["sha-a": "a", "sha-c": "c"])
        XCTAssertEqual(try journal.decodedPlan(id: "c"), plan)
        XCTAssertNil(try journal.decodedPlan(id: "nope"))
    }

    /// Both kinds of connection of the daemon's journal (the writer and the pool's readers) keep
    /// a small page cache.
    func testTheDaemonsConnectionsKeepASmallPageCache() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try SQLiteJournal(path: dir.appendingPathComponent("journal.sqlite").path)
        let expected = -SQLiteJournal.pageCacheKiB
        XCTAssertEqual(try journal.writer.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") }, expected)
        XCTAssertEqual(try journal.writer.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") }, expected)
    }

    /// `save(instance:)` writes every column that changes and leaves the id and batch; a row
    /// that does not exist is an error, as GRDB's record update made it.
    func testSavingAnInstanceUpdatesItsRowAndAMissingRowIsAnError() throws {
        let journal = try SQLiteJournal()
        let t = JournalTime.format(Date())
        let row = PlanInstanceRecord(
            planId: "p", idx: 0, instanceId: "i-a", batch: 0, state: "pending", attempts: 0, conflicts: 0,
            lastError: nil, lastStatus: nil, observedNonRunning: false, startedAt: nil, finishedAt: nil, updatedAt: t)
        try journal.insertPlan(
            PlanRecord(
                id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "x", submitterUid: 0,
                submitterName: "root", submittedAt: t, state: "queued", parameters: "{}", instanceCount: 1,
                batchCount: 1, currentBatch: -1, updatedAt: t, finishedAt: nil, reason: nil),
            instances: [row], event: PlanEventRecord(id: nil, planId: "p", at: t, kind: "submitted", detail: "test"))
        var changed = row
        changed.state = "failed"
        changed.attempts = 3
        changed.conflicts = 2
        changed.lastError = "NoSuchObject"
        changed.lastStatus = "Error"
        changed.observedNonRunning = true
        changed.startedAt = "2026-11-28T01:00:00.000Z"
        changed.finishedAt = "2026-11-28T01:05:00.000Z"
        changed.updatedAt = "2026-11-28T01:05:00.001Z"
        journal.save(instance: changed)
        try journal.flush()
        XCTAssertEqual(try journal.instances(planId: "p"), [changed])
        var missing = changed
        missing.idx = 7
        journal.save(instance: missing)
        XCTAssertThrowsError(try journal.flush()) { error in
            guard case RecordError.recordNotFound = error else { return XCTFail("\(error)") }
        }
    }

    /// A plan's rows come in index order, each once, a chunk at a time, and only that plan's:
    /// whole chunks, a last short one, and an exact multiple (which ends on an empty read).
    func testInstanceRowsComeInChunksInIndexOrder() throws {
        let t = JournalTime.format(Date())
        func rows(_ plan: String, _ n: Int) -> [PlanInstanceRecord] {
            (0..<n).map {
                PlanInstanceRecord(
                    planId: plan, idx: $0, instanceId: "i-\(plan)\($0)", batch: $0 / 2, state: "pending",
                    attempts: 0, conflicts: 0, lastError: nil, lastStatus: nil, observedNonRunning: false,
                    startedAt: nil, finishedAt: nil, updatedAt: t)
            }
        }
        for (n, chunk) in [(7, 3), (6, 3), (2, 4096), (1, 1)] {
            let journal = try SQLiteJournal(readChunkRows: chunk)
            for (plan, count) in [("a", n), ("b", 5)] {
                try journal.insertPlan(
                    PlanRecord(
                        id: plan, name: plan, sourceFile: "\(plan).yaml", format: "yaml", sha256: plan, submitterUid: 0,
                        submitterName: "root", submittedAt: t, state: "queued", parameters: "{}", instanceCount: count,
                        batchCount: 1, currentBatch: -1, updatedAt: t, finishedAt: nil, reason: nil),
                    instances: rows(plan, count), event: PlanEventRecord(id: nil, planId: plan, at: t, kind: "submitted", detail: "test"))
            }
            var seen: [[PlanInstanceRecord]] = []
            try journal.forEachInstanceChunk(planId: "a") { seen.append($0) }
            XCTAssertEqual(seen.flatMap { $0 }, rows("a", n), "\(n) rows by \(chunk)")
            XCTAssertEqual(seen.map(\.count), Array(repeating: chunk, count: n / chunk) + (n % chunk == 0 ? [] : [n % chunk]))
            var none = 0
            try journal.forEachInstanceChunk(planId: "c") { _ in none += 1 }
            XCTAssertEqual(none, 0, "no rows, no call")
        }
    }

    func testReadOnlyReaderSeesCommittedWritesInWALMode() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("j-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.sqlite").path
        let writer = try SQLiteJournal(path: path)
        try addPlan(writer)
        let mode = try writer.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let reader = try SQLiteJournal(readOnlyPath: path)
        for i in 0..<50 {
            writer.addEvent(planId: "p", at: Date(), kind: "k", detail: "\(i)")
            try writer.flush()
            XCTAssertEqual(try reader.events(planId: "p").count, i + 2)
        }
        XCTAssertThrowsError(try reader.writer.write { try $0.execute(sql: "DELETE FROM plan_events") }, "rebootctl cannot write")
    }
}
