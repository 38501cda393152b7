import BCC
import Foundation
import GRDB
import RebootTesting
import XCTest

@testable import RebootCore

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
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 5, inDoubtMaxGap: 12, minRebootTime: 2, requestTimeout: 1)
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
        h.cloud.rebootScript = { $0 == "i-0001" ? BCCError(httpStatus: 400, code: "InvalidInstanceStatus", message: "refused") : nil }
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
        let h = try SchedulerHarness(
            ids: ["i-d"],
            settings: SchedulerSettings(
                requestsPerSecond: 100, burst: 10, pollInterval: 1,
                inDoubtMaxGap: 4, minRebootTime: 2, requestTimeout: 1))
        h.cloud.rebootDuration = 2
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]))
        h.run(for: 0.3)
        h.scheduler.stop(grace: 0) { _ in }  // the crash
        h.run(for: 0.1)
        try h.journal.writer.write { db in try db.execute(sql: "UPDATE attempts SET outcome = NULL, finishedAt = NULL") }
        h.clock.advance(by: 600)  // the daemon was down ten minutes: the reboot happened unseen
        h.clock.stepWall(by: -900)  // and the wall clock went back further than that
        try h.restart()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "failed")
        XCTAssertEqual(try h.instances(plan)["i-d"]?.lastError, "in-doubt")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "never sent again")
    }
    /// With `maxActivePlans: 1`, the queued plan starts when the running one ends, with
    /// nothing else to wake the scheduler (the ending pump had already looked at the queue).
    func testAQueuedPlanStartsWhenTheOnlyActivePlanEnds() throws {
        let h = try SchedulerHarness(
            ids: ["i-a", "i-b"],
            settings: SchedulerSettings(
                requestsPerSecond: 100, burst: 10, maxActivePlans: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        let first = try h.submit(SchedulerHarness.plan(["i-a"]))
        let second = try h.submit(SchedulerHarness.plan(["i-b"]))
        XCTAssertTrue(h.run(for: 60) { (try? h.planState(first)) == "succeeded" })
        XCTAssertTrue(h.run(for: 60) { (try? h.planState(second)) == "succeeded" }, "the queued plan never started")
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id), ["i-a", "i-b"])
    }

    /// A journal that cannot be read when a queued plan is due to start is not the plan's
    /// fault: the plan stays queued (nothing is called for it) and starts once the journal reads
    /// again. Only parameters that do not decode fail a plan.
    func testAJournalReadErrorAtActivationLeavesThePlanQueued() throws {
        let h = try SchedulerHarness(
            ids: ["i-a", "i-b"],
            settings: SchedulerSettings(
                requestsPerSecond: 100, burst: 10, maxActivePlans: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        func state(_ id: String) throws -> String? {
            try h.journal.writer.read { try String.fetchOne($0, sql: "SELECT state FROM plans WHERE id = ?", arguments: [id]) }
        }
        let first = try h.submit(SchedulerHarness.plan(["i-a"]))
        let second = try h.submit(SchedulerHarness.plan(["i-b"]))
        // Reading the parameters now fails with an SQLite error (no such column).
        try h.journal.writer.write { try $0.execute(sql: "ALTER TABLE plans RENAME COLUMN parameters TO unreadable") }
        XCTAssertTrue(h.run(for: 60) { (try? state(first)) == "succeeded" })
        h.run(for: 5)
        XCTAssertEqual(try state(second), "queued", "a read error is not the plan's fault")
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id), ["i-a"])
        try h.journal.writer.write { try $0.execute(sql: "ALTER TABLE plans RENAME COLUMN unreadable TO parameters") }
        XCTAssertTrue(h.run(for: 60) { (try? state(second)) == "succeeded" }, "started once the journal reads again")
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id), ["i-a", "i-b"])
    }
}
