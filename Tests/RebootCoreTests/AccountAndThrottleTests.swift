import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.5: account errors pause every plan (later ones too) and suspend every deadline;
/// throttling never fails an instance.
final class AccountAndThrottleTests: XCTestCase {
    let accountError = BCCError(httpStatus: 403, code: "AccessDenied", message: "the key is disabled")

    func testRule4_5_AccountErrorFromAPollPausesEveryPlanLaterOnesTooAndNothingTimesOut() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1)
        settings.maxActivePlans = 2
        let h = try SchedulerHarness(ids: ["i-a", "i-b", "i-c"], settings: settings)
        h.cloud.rebootDuration = 5
        let first = try h.submit(SchedulerHarness.plan(["i-a"]) { $0.rebootTimeout = 20 })
        h.run(for: 0.5)
        XCTAssertEqual(try h.instances(first)["i-a"]?.state, "rebooting")
        var refuse = true
        h.cloud.describeScript = { _ in refuse ? self.accountError : nil }
        h.run(for: 3)
        XCTAssertEqual(try h.planState(first), "paused")
        var later = SchedulerHarness.plan(["i-b", "i-c"])
        later.name = "later"
        let second = try h.submit(later)
        h.run(for: 120)  // far past rebootTimeout (20 s)
        XCTAssertEqual(try h.planState(second), "paused", "a plan activated after the account error is paused too")
        XCTAssertFalse(h.cloud.rebootCalls.contains { $0.id != "i-a" }, "no reboot call while the account is refused")
        XCTAssertEqual(try h.instances(first)["i-a"]?.state, "rebooting", "no timeout while paused by the account")
        refuse = false
        try h.control("all", "resume")
        XCTAssertTrue(h.run(for: 60) { h.finished(first) && h.finished(second) })
        XCTAssertEqual(try h.planState(first), "succeeded")
        XCTAssertEqual(try h.planState(second), "succeeded")
        XCTAssertEqual(try h.instances(first)["i-a"]?.state, "rebooted")
        let events = try h.journal.events(planId: first).filter { $0.kind == "account-paused" }
        XCTAssertEqual(events.count, 1, "one account pause journaled, not one per failed call")
    }

    /// Issue 23 #6: the account pause is the daemon's own journaled state. It used to be
    /// inferred at start from the reasons of paused plans: with the only plan it paused
    /// cancelled, a restart forgot it, and a plan submitted after the restart called the API
    /// with the refused key.
    func testRule4_5_TheAccountPauseOutlivesThePlansItPaused() throws {
        let h = try SchedulerHarness(ids: ["i-a", "i-b", "i-c"])
        h.cloud.rebootScript = { _ in self.accountError }
        let first = try h.submit(SchedulerHarness.plan(["i-a"]))
        h.run(for: 2)
        XCTAssertEqual(try h.planState(first), "paused")
        try h.control(first, "cancel")
        XCTAssertTrue(h.run(for: 5) { h.finished(first) })
        XCTAssertEqual(try h.planState(first), "cancelled")
        try h.restart()
        var later = SchedulerHarness.plan(["i-b", "i-c"])
        later.name = "later"
        let second = try h.submit(later)
        h.run(for: 10)
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id), ["i-a"], "no call with the refused key after the restart")
        XCTAssertEqual(try h.planState(second), "paused", "a plan submitted after the restart is paused")
        h.cloud.rebootScript = nil
        try h.control("all", "resume")
        XCTAssertTrue(h.run(for: 60) { h.finished(second) })
        XCTAssertEqual(try h.planState(second), "succeeded")
        try h.restart()
        var third = SchedulerHarness.plan(["i-a"])
        third.name = "third"
        let last = try h.submit(third)
        XCTAssertTrue(h.run(for: 60) { h.finished(last) }, "resume --all ended the pause for good, across restarts too")
        XCTAssertEqual(try h.planState(last), "succeeded")
    }

    func testRule4_5_AnAccountPauseHoldsAcrossARestart() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1)
        settings.maxActivePlans = 2
        let h = try SchedulerHarness(ids: ["i-a", "i-b"], settings: settings)
        var refuse = true
        h.cloud.rebootScript = { _ in refuse ? self.accountError : nil }
        let first = try h.submit(SchedulerHarness.plan(["i-a"]))
        h.run(for: 2)
        XCTAssertEqual(try h.planState(first), "paused")
        refuse = false  // the key works again, but nobody has said so yet
        try h.restart()
        var later = SchedulerHarness.plan(["i-b"])
        later.name = "later"
        let second = try h.submit(later)
        h.run(for: 10)
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "nothing called after the restart until resume --all")
        XCTAssertEqual(try h.planState(second), "paused")
        try h.control("all", "resume")
        XCTAssertTrue(h.run(for: 30) { h.finished(first) && h.finished(second) })
        XCTAssertEqual(try h.planState(first), "succeeded")
    }

    func testRule4_5_AccountErrorDuringACancelEndsTheInstanceInsteadOfRequeueingIt() throws {
        let h = try SchedulerHarness(ids: ["i-a", "i-b"], settings: SchedulerSettings(requestsPerSecond: 1, burst: 1, pollInterval: 1))
        let scheduler = h.scheduler
        let clock = h.clock
        h.cloud.rebootScript = { _ in
            // The cancel is applied while this call is in flight: before its answer is handled.
            scheduler.queue.async {
                if let id = scheduler.plans.first?.id { _ = scheduler.applyControl(planId: id, verb: "cancel", now: clock.now()) }
            }
            return self.accountError
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-a", "i-b"]))
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) }, "the batch closes")
        XCTAssertEqual(try h.planState(plan), "cancelled")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1)
    }

    func testRule4_5_ThrottlingLongerThanRetryMaxAttemptsNeverFailsTheInstance() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1)
        settings.retry = .init(maxAttempts: 3, baseDelay: 0.1, maxDelay: 2)
        let h = try SchedulerHarness(ids: ["i-t"], settings: settings)
        var storm = 10
        h.cloud.rebootScript = { _ in
            guard storm > 0 else { return nil }
            storm -= 1
            return BCCError(httpStatus: 429, code: "RequestLimitExceeded", message: "slow down")
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-t"]))
        XCTAssertTrue(h.run(for: 300) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-t"]?.state, "rebooted")
        XCTAssertEqual(h.cloud.rebootCalls.count, 11)
        XCTAssertEqual(h.cloud.accepted["i-t"], 1)
    }

    func testRule4_5_RetryAfterIsHonouredUpToFiveMinutes() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 0.3, maxDelay: 20)
        let throttle = { (after: TimeInterval) in
            BCCError(httpStatus: 429, code: "RequestLimitExceeded", message: "slow", retryAfter: after)
        }
        XCTAssertEqual(policy.after(throttle(42), counted: 0, throttles: 1, random: 0), .retry(after: 42))
        XCTAssertEqual(policy.after(throttle(86_400), counted: 0, throttles: 1, random: 0), .retry(after: 300))
        let gateway = BCCError(httpStatus: 504, code: "GatewayTimeout", message: "upstream", inDoubt: true)
        XCTAssertEqual(policy.after(gateway, counted: 1, throttles: 0, random: 0), .inDoubt)
        let server = BCCError(httpStatus: 500, code: "InternalError", message: "oops")
        XCTAssertEqual(policy.after(server, counted: 6, throttles: 0, random: 0), .fail(reason: "InternalError after 6 tries"))
    }

    func testFailedPollsBackOffExponentially() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 10)
        settings.retry = .init(maxAttempts: 6, baseDelay: 0.5, maxDelay: 20)
        let h = try SchedulerHarness(ids: ["i-p"], settings: settings)
        h.cloud.describeScript = { _ in BCCError(httpStatus: 500, code: "InternalError", message: "down") }
        try h.submit(SchedulerHarness.plan(["i-p"]))
        h.run(for: 40)
        let times = h.cloud.describeCalls.map(\.at)
        XCTAssertGreaterThan(times.count, 4)
        let gaps = zip(times.dropFirst(), times).map { $0.timeIntervalSince($1) }
        // random() is 0.5 in the harness: 0.25, 0.5, 1, 2, 4, then capped at 5 (half of pollInterval).
        XCTAssertLessThan(gaps[0], gaps[2], "the spacing grows")
        XCTAssertLessThanOrEqual(gaps.max() ?? 0, 10.1, "never longer apart than the poll interval")
    }
}
