import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.13: intervals run on the monotonic clock; a step of the wall clock, either way,
/// never makes an instance time out, a grace expire or the rate limiter stall.
final class ClockStepTests: XCTestCase {
    func testRule4_13_WallClockStepsBackAndForwardNeitherStallNorTimeOut() throws {
        let ids = SchedulerHarness.ids(12)
        let h = try SchedulerHarness(
            ids: ids, settings: SchedulerSettings(requestsPerSecond: 4, burst: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        h.cloud.rebootDuration = 3
        let plan = try h.submit(
            SchedulerHarness.plan(ids, batch: .fixed(.count(4))) {
                $0.rebootTimeout = 30
                $0.pauseBetweenBatches = 2
            })
        h.run(for: 2)
        let before = h.cloud.calls.count
        h.clock.stepWall(by: -600)
        h.run(for: 5)
        XCTAssertGreaterThan(h.cloud.calls.count, before + 3, "calls go on after the wall clock stepped back 10 minutes")
        h.clock.stepWall(by: 3600)
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(try h.instances(plan).values.filter { $0.state != "rebooted" }.map(\.instanceId), [], "no timeout")
        XCTAssertTrue(ids.allSatisfy { h.cloud.accepted[$0] == 1 })
    }

    func testRule4_13_JournalTimesFollowTheWallClock() throws {
        let h = try SchedulerHarness(ids: ["i-w"])
        h.clock.stepWall(by: -3600)
        let plan = try h.submit(SchedulerHarness.plan(["i-w"]))
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        let sent = try XCTUnwrap(JournalTime.parse(try h.journal.attempts(planId: plan)[0].sentAt))
        XCTAssertEqual(sent.timeIntervalSince(h.clock.now()), -3600, accuracy: 31, "journal times are wall times")
    }

    /// Issue 23 #9: the pause between batches, across a restart, is measured on the boot clock.
    /// Before, the restart took the batch's end from the journal's wall time: with the wall clock
    /// stepped forward meanwhile, the next batch started at once, its pause skipped.
    func testThePauseBetweenBatchesAcrossARestartIsMeasuredOnTheBootClock() throws {
        let h = try SchedulerHarness(ids: ["i-1", "i-2"])
        let plan = try h.submit(SchedulerHarness.plan(["i-1", "i-2"], batch: .fixed(.count(1))) { $0.pauseBetweenBatches = 60 })
        XCTAssertTrue(h.run(for: 20) { (try? h.instances(plan)["i-1"]?.state) == "rebooted" })
        h.run(for: 1)
        let batchDone = h.clock.now()
        h.clock.stepWall(by: 3600)
        try h.restart()
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        let second = try XCTUnwrap(h.cloud.rebootCalls.first { $0.id == "i-2" })
        XCTAssertGreaterThanOrEqual(second.at.timeIntervalSince(batchDone), 58, "the pause held across the restart and the wall-clock step")

        // Another boot: how long the host was down is unknown, so the pause runs in full from the start.
        let h2 = try SchedulerHarness(ids: ["i-1", "i-2"])
        let plan2 = try h2.submit(SchedulerHarness.plan(["i-1", "i-2"], batch: .fixed(.count(1))) { $0.pauseBetweenBatches = 60 })
        XCTAssertTrue(h2.run(for: 20) { (try? h2.instances(plan2)["i-1"]?.state) == "rebooted" })
        h2.run(for: 1)
        h2.clock.rebootHost()
        h2.clock.stepWall(by: 3600)
        let restarted = h2.clock.now()
        try h2.restart()
        XCTAssertTrue(h2.run(for: 120) { h2.finished(plan2) })
        let after = try XCTUnwrap(h2.cloud.rebootCalls.first { $0.id == "i-2" })
        XCTAssertGreaterThanOrEqual(after.at.timeIntervalSince(restarted), 59, "a full pause after a host reboot")
    }
}
