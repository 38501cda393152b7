import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Batches, pauses, canaries, confirmation by bulk polls, rebootTimeout — in virtual time.
final class SchedulerBatchTests: XCTestCase {
    func testBatchesRunInOrderWithPausesAndConfirmByBulkPolls() throws {
        let ids = SchedulerHarness.ids(7)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .list([.count(1), .count(3)])) { $0.pauseBetweenBatches = 10 })
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")

        let reboots = h.cloud.rebootCalls
        XCTAssertEqual(reboots.map(\.id), ids, "every instance exactly once, in file order")
        XCTAssertEqual(h.cloud.accepted.values.reduce(0, +), 7)
        // Batches: [1], [3], [3]; each starts >= 10 s after the previous one's last instance was Running.
        let batchStarts = [reboots[0].at, reboots[1].at, reboots[4].at]
        XCTAssertGreaterThanOrEqual(batchStarts[1].timeIntervalSince(batchStarts[0]), 2 + 10)
        XCTAssertGreaterThanOrEqual(batchStarts[2].timeIntervalSince(batchStarts[1]), 2 + 10)
        XCTAssertEqual(reboots[1...3].map(\.at).max()!.timeIntervalSince(batchStarts[1]), 0, accuracy: 0.2)
        // Confirmation used describe-many: one call can carry the whole batch.
        XCTAssertTrue(h.cloud.describeCalls.contains { $0.ids.count == 3 })
        for (id, row) in try h.instances(plan) {
            XCTAssertEqual(row.state, "rebooted")
            XCTAssertEqual(row.attempts, 1)
            // Until 3 reboots are confirmed, polls start at once and see Starting; after that
            // they wait for the shortest confirmed reboot (`PollHoldoff`) and may see only Running.
            if ids.prefix(4).contains(id) { XCTAssertTrue(row.observedNonRunning, id) }
        }
    }

    func testRebootTimeoutFailsInstance() throws {
        let h = try SchedulerHarness(ids: ["i-slow"])
        h.cloud.rebootDuration = 1000
        let plan = try h.submit(
            SchedulerHarness.plan(["i-slow"]) {
                $0.rebootTimeout = 30
                $0.maxFailures = .count(1)
            })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let row = try XCTUnwrap(h.instances(plan)["i-slow"])
        XCTAssertEqual(row.state, "failed")
        XCTAssertEqual(row.lastError, "timeout")
        XCTAssertEqual(try h.planState(plan), "succeeded", "one failure within a budget of 1")
    }

    func testStartAfterAndWindowHoldTheFirstBatch() throws {
        let h = try SchedulerHarness(ids: ["i-a"])
        let start = h.clock.now()
        let plan = try h.submit(SchedulerHarness.plan(["i-a"]) { $0.startAfter = start + 100 })
        h.run(for: 50)
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty)
        XCTAssertEqual(try h.planState(plan), "waiting-window")
        XCTAssertTrue(h.run(for: 100) { h.finished(plan) })
        XCTAssertGreaterThanOrEqual(h.cloud.rebootCalls[0].at.timeIntervalSince(start), 100)
    }

    func testDryRunCallsNothingAndJournalsBatches() throws {
        let ids = SchedulerHarness.ids(5)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(
            SchedulerHarness.plan(ids) {
                $0.dryRun = true
                $0.pauseBetweenBatches = 60
            })
        XCTAssertTrue(h.run(for: 5) { h.finished(plan) })
        XCTAssertTrue(h.cloud.calls.isEmpty)
        let events = try h.journal.events(planId: plan).filter { $0.kind == "dry-run" }
        XCTAssertEqual(events.count, 3)
        XCTAssertTrue(events[1].detail.contains(JournalTime.format(h.clock.now() + 60).prefix(16)))
        XCTAssertEqual(try h.instances(plan).values.map(\.state), Array(repeating: "skipped", count: 5))
    }

    func testTwoPlansNeverRebootTheSameInstanceAtOnce() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.rebootDuration = 5
        let a = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(4))))
        var second = SchedulerHarness.plan(Array(ids.reversed()), batch: .fixed(.count(4)))
        second.name = "other"
        let b = try h.submit(second)
        XCTAssertTrue(h.run(for: 120) { h.finished(a) && h.finished(b) })
        // Each instance: exactly two reboots, the second only after the first was Running again.
        for id in ids {
            let times = h.cloud.rebootCalls.filter { $0.id == id }.map(\.at)
            XCTAssertEqual(times.count, 2, id)
            XCTAssertGreaterThanOrEqual(times[1].timeIntervalSince(times[0]), 5, id)
        }
    }

    func testPauseResumeAndCancel() throws {
        let ids = SchedulerHarness.ids(6)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))) { $0.pauseBetweenBatches = 5 })
        h.run(for: 1)
        try h.scheduler.control(planId: plan, verb: "pause", requestedBy: FileOwner(uid: 0, name: "root"), requestedAt: h.clock.now())
        let before = h.cloud.rebootCalls.count
        h.run(for: 30)
        XCTAssertEqual(h.cloud.rebootCalls.count, before, "paused: no new reboot calls")
        XCTAssertEqual(try h.planState(plan), "paused")
        try h.scheduler.control(planId: plan, verb: "resume", requestedBy: FileOwner(uid: 0, name: "root"), requestedAt: h.clock.now())
        h.run(for: 3)
        XCTAssertGreaterThan(h.cloud.rebootCalls.count, before)
        try h.scheduler.control(planId: plan, verb: "cancel", requestedBy: FileOwner(uid: 1000, name: "ops"), requestedAt: h.clock.now())
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "cancelled")
        XCTAssertTrue(try h.instances(plan).values.contains { $0.state == "cancelled" })
        let controls = try h.journal.controls(planId: plan)
        XCTAssertEqual(controls.map(\.verb), ["pause", "resume", "cancel"])
        XCTAssertEqual(controls.last?.requestedBy, "ops")
    }

    /// Seen in the first HTML report: a plan paused and resumed ended `succeeded` with the
    /// reason "paused by an operator" (a nil reason kept the old one).
    func testAResumedPlanDoesNotKeepThePausesReason() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.pauseBetweenBatches = 5 })
        XCTAssertTrue(h.run(for: 10) { h.cloud.rebootCalls.count == 2 })
        try h.control(plan, "pause")
        h.run(for: 2)
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, "paused by an operator")
        try h.control(plan, "resume")
        h.run(for: 0.5)
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, "resumed by an operator")
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, "4 rebooted, 0 failed (0 allowed), 0 skipped")
    }
}
