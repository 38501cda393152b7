import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Retries with backoff, the failure budget, account errors, in-doubt calls and resume.
final class SchedulerFailureTests: XCTestCase {
    func testTransientErrorsAreRetriedWithBackoffHonouringRetryAfter() throws {
        let h = try SchedulerHarness(ids: ["i-x"])
        var failures = 2
        h.cloud.rebootScript = { _ in
            guard failures > 0 else { return nil }
            failures -= 1
            return failures == 1
                ? BCCError(httpStatus: 429, code: "RequestLimitExceeded", message: "slow", retryAfter: 7)
                : BCCError(httpStatus: 500, code: "InternalError", message: "oops")
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-x"]))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let times = h.cloud.rebootCalls.map(\.at)
        XCTAssertEqual(times.count, 3)
        XCTAssertGreaterThanOrEqual(times[1].timeIntervalSince(times[0]), 7, "Retry-After honoured")
        XCTAssertEqual(try h.instances(plan)["i-x"]?.state, "rebooted")
        XCTAssertEqual(h.cloud.accepted["i-x"], 1)
    }

    func testRetriesExhaustedFailTheInstance() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1)
        settings.retry = .init(maxAttempts: 3, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-x"], settings: settings)
        h.cloud.rebootScript = { _ in BCCError(httpStatus: 503, code: "ServiceUnavailable", message: "down") }
        let plan = try h.submit(SchedulerHarness.plan(["i-x"]))
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 3)
        XCTAssertEqual(try h.instances(plan)["i-x"]?.state, "failed")
    }

    func testFailureBudgetHaltsThePlanAndLaterBatchesAreNeverCalled() throws {
        let ids = SchedulerHarness.ids(10)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.rebootScript = { id in
            ["i-0001", "i-0002"].contains(id) ? BCCError(httpStatus: 400, code: "InvalidInstanceStatus", message: "refused") : nil
        }
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(3))) { $0.maxFailures = .count(1) })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "failed")
        XCTAssertEqual(Set(h.cloud.rebootCalls.map(\.id)), ["i-0001", "i-0002", "i-0003"], "no call past the first batch")
        let rows = try h.instances(plan)
        XCTAssertEqual(rows["i-0003"]?.state, "rebooted", "a rebooting instance is followed to its outcome")
        XCTAssertEqual(rows.values.filter { $0.state == "skipped" }.count, 7)
        XCTAssertEqual(rows["i-0001"]?.lastError, "InvalidInstanceStatus: refused")
    }

    func testPercentageBudget() {
        XCTAssertEqual(FailureBudget.percent(10).allowed(of: 200), 20)
        XCTAssertFalse(FailureBudget.percent(10).isExceeded(failed: 20, total: 200))
        XCTAssertTrue(FailureBudget.percent(10).isExceeded(failed: 21, total: 200))
        XCTAssertTrue(FailureBudget.count(0).isExceeded(failed: 1, total: 5))
    }

    func testAccountErrorPausesEveryPlanInsteadOfFailingInstances() throws {
        let h = try SchedulerHarness(ids: ["i-a", "i-b"])
        var refuse = true
        h.cloud.rebootScript = { _ in refuse ? BCCError(httpStatus: 400, code: "SignatureDoesNotMatch", message: "bad") : nil }
        let plan = try h.submit(SchedulerHarness.plan(["i-a", "i-b"], batch: .fixed(.count(1))))
        h.run(for: 10)
        XCTAssertEqual(try h.planState(plan), "paused")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "one refusal, then nothing")
        XCTAssertEqual(try h.instances(plan)["i-a"]?.state, "pending")
        refuse = false
        try h.scheduler.control(planId: plan, verb: "resume", requestedBy: FileOwner(uid: 0, name: "root"), requestedAt: h.clock.now())
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
    }

    func testInDoubtCallThatTookEffectIsNotResent() throws {
        let h = try SchedulerHarness(ids: ["i-d"])
        h.cloud.rebootDuration = 10
        var first = true
        h.cloud.rebootScript = { _ in
            defer { first = false }
            return first ? BCCError.timeout(seconds: 10, mutating: true) : nil
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "the poll saw Starting: the call took effect")
        XCTAssertEqual(h.cloud.accepted["i-d"], 1)
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "rebooted")
        XCTAssertEqual(try h.journal.attempts(planId: plan).first?.outcome, "applied")
    }

    /// Issue 23 #9, SPEC §4.5: a 404 to a reboot call (the instance was deleted) is a skip,
    /// reason NotFound, as three misses in describe are; it failed the plan at maxFailures: 0.
    func testA404ToARebootSkipsTheInstanceAndCostsNoFailure() throws {
        let h = try SchedulerHarness(ids: ["i-a", "i-gone", "i-c"])
        h.cloud.rebootScript = { $0 == "i-gone" ? BCCError(httpStatus: 404, code: "NoSuchObject", message: "no such instance") : nil }
        let plan = try h.submit(SchedulerHarness.plan(["i-a", "i-gone", "i-c"]) { $0.maxFailures = .count(0) })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let rows = try h.instances(plan)
        XCTAssertEqual(rows["i-gone"]?.state, "skipped")
        XCTAssertEqual(rows["i-gone"]?.lastError, "NotFound")
        XCTAssertEqual(rows["i-c"]?.state, "rebooted")
        XCTAssertEqual(h.cloud.rebootCalls.filter { $0.id == "i-gone" }.count, 1, "not retried")
    }

    func testInDoubtCallThatNeverAppliedIsResentOnlyPastItsEffectDeadline() throws {
        let h = try SchedulerHarness(ids: ["i-d"])
        var first = true
        h.cloud.inDoubtApplies = false  // a lost request: no effect, no answer
        h.cloud.rebootScript = { _ in
            defer { first = false }
            return first ? BCCError.timeout(seconds: 10, mutating: true) : nil
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let calls = h.cloud.rebootCalls
        XCTAssertEqual(calls.count, 2)
        // Signed to expire 1 s (requestTimeout) + 5 s after the send, and Running readings for
        // minRebootTime (2 s) past that: no reboot could have hidden between them.
        XCTAssertGreaterThanOrEqual(calls[1].at.timeIntervalSince(calls[0].at), 8, "re-sent only past the effect deadline plus minRebootTime")
        let attempts = try h.journal.attempts(planId: plan)
        XCTAssertEqual(attempts.map(\.kind), ["reboot", "resend"])
        XCTAssertEqual(attempts.first?.outcome, "not-applied")
        XCTAssertEqual(h.cloud.accepted["i-d"], 1)
    }

    /// Issue 10: a restart reads the plan's rows a chunk at a time. A restart in the middle of
    /// a batch whose rows span every chunk, with the outcomes of the first row, a chunk's first
    /// row and the short last chunk's row lost, resumes every row: each of the three is in doubt
    /// and resolved by polls, nothing is called twice, and the plan succeeds.
    func testRestartReadsTheRowsInChunksAndResumesEveryOne() throws {
        let ids = SchedulerHarness.ids(10)
        let h = try SchedulerHarness(ids: ids, journal: try SQLiteJournal(readChunkRows: 3))
        h.cloud.rebootDuration = 20
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(10))))
        XCTAssertTrue(h.run(for: 60) { h.cloud.rebootCalls.count == 10 })
        h.run(for: 1)
        // The chunks are rows 0-2, 3-5, 6-8 and 9.
        let lost = [ids[0], ids[3], ids[9]]
        try h.journal.writer.write { db in
            try db.execute(
                sql: "UPDATE attempts SET outcome = NULL, finishedAt = NULL WHERE instanceId IN (?, ?, ?)",
                arguments: [lost[0], lost[1], lost[2]])
            try db.execute(sql: "UPDATE plan_instances SET state = 'pending' WHERE idx IN (0, 3, 9)")
        }
        try h.restart()
        h.run(for: 0.1)
        let resumed = try h.journal.events(planId: plan).last { $0.kind == "resumed" }
        XCTAssertEqual(resumed?.detail, "after restart: 10 instances followed, 3 in doubt")
        XCTAssertTrue(h.run(for: 300) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id), ids, "each instance called once, in order")
        for (_, row) in try h.instances(plan) { XCTAssertEqual(row.state, "rebooted") }
        let resolved = try h.journal.attempts(planId: plan).filter { lost.contains($0.instanceId) }.map(\.outcome)
        XCTAssertEqual(resolved, ["applied", "applied", "applied"])
    }

    func testRestartResolvesAttemptsWithoutOutcomeByPollingFirst() throws {
        let h = try SchedulerHarness(ids: ["i-1", "i-2", "i-3"])
        h.cloud.rebootDuration = 20
        let plan = try h.submit(SchedulerHarness.plan(["i-1", "i-2", "i-3"], batch: .fixed(.count(3))))
        h.run(for: 1)
        XCTAssertEqual(h.cloud.rebootCalls.count, 3)
        // Simulate a crash that lost the outcomes: the attempts are open again.
        try h.journal.writer.write { db in
            try db.execute(sql: "UPDATE attempts SET outcome = NULL, finishedAt = NULL")
            try db.execute(sql: "UPDATE plan_instances SET state = 'pending'")
        }
        try h.restart()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 3, "non-Running at the first poll: nothing re-sent")
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(try h.journal.attempts(planId: plan).map(\.outcome), ["applied", "applied", "applied"])
    }
}
