import BCC
import Foundation
import GRDB
import RebootTesting
import XCTest

@testable import RebootCore

/// Issue 23 #9: while the journal cannot commit (a full disk), the scheduler decides nothing
/// more: no poll, no batch, no notification, no call, until a commit works again. Before, it
/// went on in memory: batches ended and were announced that the journal never held.
final class JournalFullTests: XCTestCase {
    final class Switch: @unchecked Sendable {
        private let lock = NSLock()
        private var on = true
        var isOn: Bool { lock.withLock { on } }
        func turnOff() { lock.withLock { on = false } }
    }

    func testNothingIsDecidedWhileTheJournalCannotCommit() throws {
        let ids = SchedulerHarness.ids(6)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))))
        XCTAssertTrue(h.run(for: 5) { h.cloud.rebootCalls.count == 2 }, "batch 1 called")
        // The disk fills: every commit fails from here (the failed write stays queued, in order).
        let full = Switch()
        h.journal.enqueue { _ in if full.isOn { throw DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full") } }
        h.scheduler.queue.sync { h.scheduler.flushJournal() }
        let calls = h.cloud.calls.count
        let events = h.events.all.count
        h.run(for: 30)
        XCTAssertEqual(h.cloud.calls.count, calls, "no call of any kind while nothing can be journaled")
        XCTAssertEqual(h.events.all.count, events, "nothing announced that the journal does not hold")
        XCTAssertEqual(try h.planState(plan), "running")

        full.turnOff()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.rebootCalls.count, 6)
        XCTAssertTrue(ids.allSatisfy { h.cloud.accepted[$0] == 1 })
        XCTAssertTrue(try h.instances(plan).values.allSatisfy { $0.state == "rebooted" })
    }
}
