import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Every 409 path (SPEC §4.4): wait and retry once Running, triage by status, limits.
final class SchedulerConflictTests: XCTestCase {
    func testTransitionalStatusIsWaitedOutAndRetriedOnlyOnceRunning() throws {
        let h = try SchedulerHarness(ids: ["i-busy"])
        h.cloud.busyAtCall["i-busy"] = (.starting, 20)
        let plan = try h.submit(SchedulerHarness.plan(["i-busy"]))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let reboots = h.cloud.rebootCalls
        XCTAssertEqual(reboots.count, 2, "one 409, then one accepted call")
        XCTAssertGreaterThanOrEqual(reboots[1].at.timeIntervalSince(reboots[0].at), 20, "retried only after it was Running")
        // A poll followed the 409 at once, and the retry came after a poll that saw Running.
        XCTAssertTrue(
            h.cloud.describeCalls.contains { $0.at.timeIntervalSince(reboots[0].at) >= 0 && $0.at.timeIntervalSince(reboots[0].at) <= 0.06 },
            "polled within one virtual step of the 409, not a pollInterval later")
        let row = try XCTUnwrap(h.instances(plan)["i-busy"])
        XCTAssertEqual(row.state, "rebooted")
        XCTAssertEqual(row.conflicts, 1)
        XCTAssertEqual(row.attempts, 2)
    }

    func testParkedStatusIsSkippedAtOnceAndDoesNotCountAsFailure() throws {
        // Parked when the batch's read sees it (no call), or just after that read (a 409).
        for parked in [InstanceStatus.stopped, .expired, .recycled, .deleted] {
            for atCall in [false, true] {
                let h = try SchedulerHarness(ids: ["i-p", "i-ok"])
                if atCall { h.cloud.busyAtCall["i-p"] = (parked, 1e9) } else { h.cloud.statuses["i-p"] = parked }
                let plan = try h.submit(SchedulerHarness.plan(["i-p", "i-ok"]))
                XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
                let rows = try h.instances(plan)
                XCTAssertEqual(rows["i-p"]?.state, "skipped", parked.rawValue)
                XCTAssertEqual(rows["i-p"]?.lastError, parked.rawValue)
                XCTAssertEqual(h.cloud.rebootCalls.filter { $0.id == "i-p" }.count, atCall ? 1 : 0)
                XCTAssertEqual(try h.planState(plan), "succeeded", "a skip does not count against maxFailures = 0")
            }
        }
    }

    func testErrorStatusFailsTheInstance() throws {
        let h = try SchedulerHarness(ids: ["i-e"])
        h.cloud.statuses["i-e"] = .error
        let plan = try h.submit(SchedulerHarness.plan(["i-e"]))
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-e"]?.state, "failed")
        XCTAssertEqual(try h.planState(plan), "failed")
    }

    func testMaxAttemptsOf409sFailsWithTheLastCode() throws {
        let h = try SchedulerHarness(ids: ["i-flap"])
        // Running at every poll, yet every reboot is refused: 3 attempts, then failed.
        h.cloud.rebootScript = { _ in BCCError(httpStatus: 409, code: "Instance.RebootInstanceOperationForbidden", message: "x") }
        let plan = try h.submit(SchedulerHarness.plan(["i-flap"]) { $0.conflictRetry = ConflictRetry(maxAttempts: 3, timeout: 600) })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 3)
        let row = try XCTUnwrap(h.instances(plan)["i-flap"])
        XCTAssertEqual(row.state, "failed")
        XCTAssertEqual(row.lastError, "Instance.RebootInstanceOperationForbidden")
    }

    func testConflictTimeoutFailsAWaitingInstance() throws {
        let h = try SchedulerHarness(ids: ["i-long"])
        h.cloud.busyAtCall["i-long"] = (.scaling, 1e9)
        let plan = try h.submit(SchedulerHarness.plan(["i-long"]) { $0.conflictRetry = ConflictRetry(maxAttempts: 10, timeout: 30) })
        XCTAssertFalse(h.run(for: 25) { h.finished(plan) }, "still waiting before the timeout")
        XCTAssertEqual(try h.instances(plan)["i-long"]?.state, "waiting")
        XCTAssertTrue(h.run(for: 10) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-long"]?.state, "failed")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1)
    }

    func testWaitingInstanceKeepsItsBatchOpen() throws {
        let h = try SchedulerHarness(ids: ["i-1", "i-2", "i-3"])
        h.cloud.statuses["i-2"] = .starting
        h.cloud.runningAt["i-2"] = h.clock.now() + 15
        let plan = try h.submit(SchedulerHarness.plan(["i-1", "i-2", "i-3"], batch: .fixed(.count(2))))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let third = try XCTUnwrap(h.cloud.rebootCalls.first { $0.id == "i-3" })
        let secondAccepted = try XCTUnwrap(h.cloud.rebootCalls.last { $0.id == "i-2" })
        XCTAssertGreaterThan(third.at, secondAccepted.at, "batch 2 waited for the 409'd instance of batch 1")
    }
}
