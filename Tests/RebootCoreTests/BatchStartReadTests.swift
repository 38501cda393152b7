import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.1: a batch starts with a read of its instances' status; a reboot call goes only to an
/// instance whose last read was `Running`. Issue 23.
final class BatchStartReadTests: XCTestCase {
    func testABatchIsReadBeforeItsFirstCallAndOnlyRunningInstancesAreCalled() throws {
        let ids = ["i-run", "i-stopped", "i-starting", "i-gone", "i-error"]
        let h = try SchedulerHarness(ids: ids)
        h.cloud.statuses["i-stopped"] = .stopped
        h.cloud.statuses["i-starting"] = .starting
        h.cloud.runningAt["i-starting"] = h.clock.now() + 10
        h.cloud.statuses["i-error"] = .error
        h.cloud.hidden = ["i-gone"]
        let t0 = h.clock.now()
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(5))) { $0.maxFailures = .count(1) })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })

        let firstReboot = try XCTUnwrap(h.cloud.calls.firstIndex { if case .reboot = $0.call { true } else { false } })
        let firstDescribe = try XCTUnwrap(h.cloud.calls.firstIndex { if case .describe = $0.call { true } else { false } })
        XCTAssertLessThan(firstDescribe, firstReboot, "the batch's status read comes before its first reboot call")
        if case .describe(let read) = h.cloud.calls[firstDescribe].call {
            XCTAssertEqual(Set(read), Set(ids), "one describe-many reads the whole batch")
        }
        let called = h.cloud.rebootCalls.map(\.id)
        XCTAssertEqual(called.filter { $0 == "i-run" }.count, 1)
        XCTAssertEqual(called.filter { $0 == "i-starting" }.count, 1, "called once, after it was read Running")
        for id in ["i-stopped", "i-gone", "i-error"] {
            XCTAssertFalse(called.contains(id), "\(id) was never read Running: no call (got \(called))")
        }
        let startingCall = try XCTUnwrap(h.cloud.rebootCalls.first { $0.id == "i-starting" })
        XCTAssertGreaterThanOrEqual(startingCall.at.timeIntervalSince(t0), 10, "waited out Starting without a 409")
        XCTAssertTrue(h.cloud.accepted.keys.allSatisfy { ["i-run", "i-starting"].contains($0) })

        let rows = try h.instances(plan)
        XCTAssertEqual(rows["i-stopped"]?.state, "skipped")
        XCTAssertEqual(rows["i-stopped"]?.lastError, "Stopped")
        XCTAssertEqual(rows["i-gone"]?.state, "skipped")
        XCTAssertEqual(rows["i-gone"]?.lastError, "NotFound")
        XCTAssertEqual(rows["i-error"]?.state, "failed")
        XCTAssertEqual(rows["i-starting"]?.state, "rebooted")
        XCTAssertEqual(rows["i-starting"]?.conflicts, 0, "no 409 was needed")
        XCTAssertEqual(try h.planState(plan), "succeeded", "one failure, one allowed")
    }

    func testAStartReadThatFailsIsRetriedAndNothingIsCalledMeanwhile() throws {
        let h = try SchedulerHarness(ids: ["i-1", "i-2"])
        var outage = true
        h.cloud.describeScript = { _ in outage ? BCCError(httpStatus: 503, code: "ServiceUnavailable", message: "down") : nil }
        let plan = try h.submit(SchedulerHarness.plan(["i-1", "i-2"]))
        h.run(for: 10)
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty, "no call before a successful read")
        XCTAssertGreaterThan(h.cloud.describeCalls.count, 1, "the read is tried again")
        outage = false
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 2)
        XCTAssertEqual(try h.planState(plan), "succeeded")
    }

    func testTheNextBatchIsReadInThePreviousBatchsLastRoundNotInACallOfItsOwn() throws {
        // Issue 10's call budget: with room in a poll round, the next batch's read rides in it.
        let ids = SchedulerHarness.ids(8)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))))
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.rebootCalls.count, 8)
        // Every batch after the first was read before its calls, in the same describe that saw
        // the previous batch Running.
        for b in 1..<4 {
            let batch = Array(ids[(b * 2)..<(b * 2 + 2)])
            let firstCall = try XCTUnwrap(h.cloud.rebootCalls.first { batch.contains($0.id) })
            let reads = h.cloud.describeCalls.filter { $0.at <= firstCall.at && Set(batch).isSubset(of: Set($0.ids)) }
            XCTAssertFalse(reads.isEmpty, "batch \(b + 1) was read before its first call")
            let own = h.cloud.describeCalls.filter { Set($0.ids) == Set(batch) && $0.at <= firstCall.at }
            XCTAssertTrue(own.isEmpty, "batch \(b + 1) had no read of its own: it rode in a round")
        }
    }

    func testAStaleReadIsTakenAgainAfterThePauseBetweenBatches() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))) { $0.pauseBetweenBatches = 30 })
        // Batch 1 done: someone stops i-0003 during the pause.
        XCTAssertTrue(h.run(for: 20) { (try? h.instances(plan)["i-0002"]?.state) == "rebooted" })
        h.cloud.statuses["i-0003"] = .stopped
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertFalse(h.cloud.rebootCalls.contains { $0.id == "i-0003" }, "read again at the batch start: Stopped, no call")
        XCTAssertEqual(try h.instances(plan)["i-0003"]?.state, "skipped")
    }

    func testAnInstanceReleasedByAnotherPlanIsReadAgainBeforeItsCall() throws {
        // Rule 4.7: plan B waits for an instance plan A holds; when A lets go, B reads it again.
        let h = try SchedulerHarness(ids: ["i-shared", "i-a"])
        h.cloud.rebootDuration = 5
        let a = try h.submit(SchedulerHarness.plan(["i-shared", "i-a"]) { $0.name = "a" })
        h.run(for: 0.5)
        let b = try h.submit(SchedulerHarness.plan(["i-shared"]) { $0.name = "b" })
        XCTAssertTrue(h.run(for: 60) { h.finished(a) && h.finished(b) })
        let calls = h.cloud.rebootCalls.filter { $0.id == "i-shared" }
        XCTAssertEqual(calls.count, 2, "each plan rebooted it once")
        let bCall = try XCTUnwrap(calls.last)
        // The read that showed A's reboot done, then B's own read, both before B's call.
        let bCallIndex = try XCTUnwrap(h.cloud.calls.lastIndex { $0.call == .reboot("i-shared") })
        let reads = h.cloud.calls[..<bCallIndex].filter {
            if case .describe(let ids) = $0.call { ids.contains("i-shared") && $0.at >= calls[0].at + 5 } else { false }
        }
        XCTAssertGreaterThanOrEqual(reads.count, 2, "B read it Running after A's reboot ended, before calling it (at \(bCall.at))")
    }
}

extension BatchStartReadTests {
    /// A batch paused with calls queued is read again at the resume: an instance stopped during
    /// the pause gets no call (before, the queued instances were called on their old reads).
    func testAResumedBatchIsReadAgainBeforeItsCalls() throws {
        let ids = SchedulerHarness.ids(6)
        let h = try SchedulerHarness(
            ids: ids, settings: SchedulerSettings(requestsPerSecond: 1, burst: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(6))))
        XCTAssertTrue(h.run(for: 10) { h.cloud.rebootCalls.count >= 1 })
        try h.control(plan, "pause")
        let calledBefore = Set(h.cloud.rebootCalls.map(\.id))
        let stopped = try XCTUnwrap(ids.last { !calledBefore.contains($0) })
        h.run(for: 5)
        h.cloud.statuses[stopped] = .stopped
        try h.control(plan, "resume")
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertFalse(h.cloud.rebootCalls.contains { $0.id == stopped }, "read Stopped at the resume: no call")
        XCTAssertEqual(try h.instances(plan)[stopped]?.state, "skipped")
        XCTAssertEqual(try h.instances(plan)[stopped]?.lastError, "Stopped")
    }

    /// An account error on the batch's read pauses the plan before any call; `resume --all`
    /// reads the batch again, then calls it.
    func testAnAccountErrorOnTheStartReadPausesBeforeAnyCall() throws {
        let h = try SchedulerHarness(ids: ["i-1", "i-2"])
        var refused = true
        h.cloud.describeScript = { _ in refused ? BCCError(httpStatus: 403, code: "AccessDenied", message: "key disabled") : nil }
        let plan = try h.submit(SchedulerHarness.plan(["i-1", "i-2"]))
        h.run(for: 10)
        XCTAssertEqual(try h.planState(plan), "paused")
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty)
        XCTAssertEqual(h.cloud.describeCalls.count, 1, "one refused read, then nothing while paused")
        refused = false
        try h.control("all", "resume")
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.rebootCalls.count, 2)
    }

    /// A read the API refuses for what it asks, again and again, fails the batch's instances
    /// after retry.maxAttempts tries instead of holding the plan open for ever.
    func testARefusedStartReadFailsItsInstancesAfterTheRetryBudget() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1)
        settings.retry = .init(maxAttempts: 3, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-1", "i-2"], settings: settings)
        h.cloud.describeScript = { _ in BCCError(httpStatus: 400, code: "InvalidParameter", message: "bad filter") }
        let plan = try h.submit(SchedulerHarness.plan(["i-1", "i-2"]) { $0.maxFailures = .percent(100) })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(h.cloud.describeCalls.count, 3)
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty)
        XCTAssertEqual(try h.instances(plan).values.map(\.lastError), ["InvalidParameter", "InvalidParameter"])
    }
}
