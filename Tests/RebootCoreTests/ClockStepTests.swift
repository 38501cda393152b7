import BCC
import Foundation
@testable import RebootCore
import RebootTesting
import XCTest

/// SPEC §4.13: intervals run on the monotonic clock; a step of the wall clock, either way,
/// never makes an instance time out, a grace expire or the rate limiter stall.
final class ClockStepTests: XCTestCase {
    func testRule4_13_WallClockStepsBackAndForwardNeitherStallNorTimeOut() throws {
        let ids = SchedulerHarness.ids(12)
        let h = try SchedulerHarness(ids: ids, settings: SchedulerSettings(requestsPerSecond: 4, burst: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        h.cloud.rebootDuration = 3
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(4))) {
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
}
