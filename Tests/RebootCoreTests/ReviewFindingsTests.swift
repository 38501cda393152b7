import BCC
import Foundation
@testable import RebootCore
import RebootTesting
import XCTest

/// Failures a review of the safety work found: a paused plan that spun, polls that ignored
/// their backoff, a budget exceeded before the halt was journaled, a wall clock stepped back
/// across a restart.
final class ReviewFindingsTests: XCTestCase {
    func testAPlanPausedBetweenBatchesDoesNotSpin() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))) { $0.pauseBetweenBatches = 30 })
        XCTAssertTrue(h.run(for: 20) { (try? h.instances(plan).values.filter { $0.state == "rebooted" }.count) == 2 })
        try h.control(plan, "pause")
        let before = h.clock.firedCount
        h.run(for: 120, step: 1)
        XCTAssertLessThan(h.clock.firedCount - before, 300, "a paused plan wakes the scheduler rarely, not every millisecond")
        XCTAssertEqual(try h.planState(plan), "paused")
    }

    func testRule4_5_FailedPollsBackOffForWaitingAndInDoubtInstancesToo() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 5, inDoubtGrace: 5, inDoubtMaxGap: 12)
        settings.retry = .init(maxAttempts: 6, baseDelay: 0.5, maxDelay: 20)
        let h = try SchedulerHarness(ids: ["i-w", "i-d"], settings: settings)
        h.cloud.statuses["i-w"] = .starting
        h.cloud.runningAt["i-w"] = h.clock.now() + 3600
        h.cloud.rebootScript = { $0 == "i-d" ? BCCError.timeout(seconds: 1, mutating: true) : nil }
        h.cloud.describeScript = { _ in BCCError(httpStatus: 503, code: "ServiceUnavailable", message: "down") }
        try h.submit(SchedulerHarness.plan(["i-w", "i-d"]))
        h.run(for: 60)
        XCTAssertLessThan(h.cloud.describeCalls.count, 40, "at most about one poll per backoff step, not the limiter's full rate")
    }

    func testRule4_6_ABudgetExceededBeforeTheHaltWasJournaledStillHalts() throws {
        let ids = SchedulerHarness.ids(6)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.rebootDuration = 10
        h.cloud.rebootScript = { $0 == "i-0001" ? BCCError(httpStatus: 404, code: "NoSuchObject", message: "gone") : nil }
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(3))) { $0.maxFailures = .count(0) })
        h.run(for: 2)
        // As a journal written before migration v2 would be: the failure, but no halt.
        try h.journal.writer.write { db in
            try db.execute(sql: "UPDATE plans SET stopRequest = NULL")
            try db.execute(sql: "UPDATE plan_instances SET state = 'pending', lastError = NULL WHERE state = 'skipped'")
        }
        try h.restart()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "failed")
        XCTAssertEqual(Set(h.cloud.rebootCalls.map(\.id)), ["i-0001", "i-0002", "i-0003"])
    }

    func testRule4_8_AWallClockSteppedBackAcrossARestartCountsAsAGap() throws {
        let h = try SchedulerHarness(ids: ["i-d"], settings: SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1,
                                                                               inDoubtGrace: 5, inDoubtMaxGap: 4))
        h.cloud.rebootDuration = 2
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]))
        h.run(for: 0.3)
        h.scheduler.stop(grace: 0) { _ in }  // the crash
        h.run(for: 0.1)
        try h.journal.writer.write { db in try db.execute(sql: "UPDATE attempts SET outcome = NULL, finishedAt = NULL") }
        h.clock.advance(by: 600)       // the daemon was down ten minutes: the reboot happened unseen
        h.clock.stepWall(by: -900)     // and the wall clock went back further than that
        try h.restart()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "failed")
        XCTAssertEqual(try h.instances(plan)["i-d"]?.lastError, "in-doubt")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "never sent again")
    }
}
