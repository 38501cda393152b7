import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// A new leader and the controls other hosts journaled (SPEC §4.16 with rule 4.10): applied in
/// the journal's order, each once, and no call before they were read.
final class SharedJournalControlsTests: XCTestCase {
    struct Unreadable: Error {}

    final class Settled: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [(Int64, String)] = []
        func add(_ id: Int64, _ result: String) { lock.withLock { list.append((id, result)) } }
        var all: [(Int64, String)] { lock.withLock { list } }
    }

    func control(_ id: Int64, _ plan: String, _ verb: String) -> ControlRecord {
        ControlRecord(
            id: id, planId: plan, verb: verb, requestedByUid: 1000, requestedBy: "ops", requestedAt: "2026-12-07T00:00:00.000Z",
            appliedAt: "2026-12-07T00:00:00.000Z", result: PostgresJournal.pendingControl)
    }

    func testNoCallBeforeTheJournaledControlsAreReadAndEachIsAppliedOnceInOrder() throws {
        let h = try SchedulerHarness(ids: SchedulerHarness.ids(4))
        h.scheduler.holdCalls()  // a new leader: calls held until the journaled controls are read
        let plan = try h.submit(SchedulerHarness.plan(SchedulerHarness.ids(4)))
        let settled = Settled()
        let settle: @Sendable (Int64, String, Date) -> Void = { id, result, _ in settled.add(id, result) }

        // The read fails: nothing is applied, and no call goes out.
        XCTAssertFalse(h.scheduler.applySharedJournal(pending: { throw Unreadable() }, settle: settle))
        h.run(for: 5)
        XCTAssertEqual(h.cloud.rebootCalls.count, 0, "no call before the controls were read")

        // A renewal reads them: a pause then a resume (the last word), then the calls.
        let rows = [control(7, plan, "pause"), control(9, plan, "resume")]
        h.scheduler.sharedJournalChanged(pending: { rows }, settle: settle, releasingCalls: true)
        h.run(for: 0.5)
        XCTAssertEqual(settled.all.map(\.0), [7, 9], "in the journal's order")
        XCTAssertTrue(settled.all[1].1.hasPrefix("resumed"), "\(settled.all)")
        // Still pending in the journal (its commit failed, say): read again, applied no more.
        h.scheduler.sharedJournalChanged(pending: { rows }, settle: settle, releasingCalls: true)
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(settled.all.count, 2, "each control applied once")
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.accepted.values.sorted(), [1, 1, 1, 1])
    }
}
