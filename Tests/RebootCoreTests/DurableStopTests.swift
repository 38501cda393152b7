import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.6 and §4.10: a halt or a cancel holds across a restart; the plan ends `failed` or
/// `cancelled`, never `succeeded`, and nothing of it is called again.
final class DurableStopTests: XCTestCase {
    func testRule4_6_HaltHoldsAcrossARestartWhileTheBatchStillReboots() throws {
        let ids = SchedulerHarness.ids(9)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.rebootDuration = 10
        h.cloud.rebootScript = { $0 == "i-0001" ? BCCError(httpStatus: 400, code: "InvalidInstanceStatus", message: "refused") : nil }
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(3))) { $0.maxFailures = .count(0) })
        h.run(for: 2)
        XCTAssertEqual(try h.instances(plan)["i-0001"]?.state, "failed")
        XCTAssertEqual(try h.instances(plan)["i-0002"]?.state, "rebooting", "the batch is still rebooting at the crash")
        try h.restart()  // kill -9: the halt is only in the journal now
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "failed")
        XCTAssertEqual(Set(h.cloud.rebootCalls.map(\.id)), ["i-0001", "i-0002", "i-0003"], "no call past the halted batch")
        let rows = try h.instances(plan)
        XCTAssertEqual(rows["i-0002"]?.state, "rebooted", "rebooting instances are followed to their outcome")
        XCTAssertEqual(ids.dropFirst(3).map { rows[$0]?.state }, Array(repeating: "skipped", count: 6))
    }

    func testRule4_10_CancelHoldsAcrossARestartWhileTheBatchStillReboots() throws {
        let ids = SchedulerHarness.ids(6)
        let h = try SchedulerHarness(
            ids: ids, settings: SchedulerSettings(requestsPerSecond: 1, burst: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        h.cloud.rebootDuration = 10
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(6))))
        h.run(for: 2.5)
        let calledBeforeCancel = h.cloud.rebootCalls.count
        XCTAssertGreaterThan(calledBeforeCancel, 0)
        XCTAssertLessThan(calledBeforeCancel, 6)
        try h.control(plan, "cancel")
        try h.restart()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "cancelled")
        XCTAssertEqual(h.cloud.rebootCalls.count, calledBeforeCancel, "no reboot call after the cancel was applied")
        let rows = try h.instances(plan)
        XCTAssertEqual(rows.values.filter { $0.state == "cancelled" }.count, 6 - calledBeforeCancel)
        XCTAssertEqual(rows.values.filter { $0.state == "rebooted" }.count, calledBeforeCancel)
    }

    func testRule4_10_PauseHoldsAQueuedPlan() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1)
        settings.maxActivePlans = 1
        let h = try SchedulerHarness(ids: ["i-a", "i-b"], settings: settings)
        let first = try h.submit(SchedulerHarness.plan(["i-a"]))
        var second = SchedulerHarness.plan(["i-b"])
        second.name = "second"
        let queued = try h.submit(second)
        try h.control(queued, "pause")
        XCTAssertTrue(h.run(for: 30) { h.finished(first) })
        h.run(for: 10)
        XCTAssertEqual(try h.planState(queued), "paused")
        XCTAssertFalse(h.cloud.rebootCalls.contains { $0.id == "i-b" }, "a paused queued plan does not start")
        try h.restart()
        h.run(for: 5)
        XCTAssertFalse(h.cloud.rebootCalls.contains { $0.id == "i-b" }, "not after a restart either")
        try h.control(queued, "resume")
        XCTAssertTrue(h.run(for: 30) { h.finished(queued) })
        XCTAssertEqual(try h.planState(queued), "succeeded")
    }

    func testRule4_8_AttemptNumbersComeFromTheAttemptsTable() throws {
        let h = try SchedulerHarness(ids: ["i-1"])
        h.cloud.inDoubtApplies = false
        var first = true
        h.cloud.rebootScript = { _ in
            defer { first = false }
            return first ? BCCError.timeout(seconds: 10, mutating: true) : nil
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-1"]))
        h.run(for: 0.5)
        // A crash before the instance row was saved: its attempt counter is behind the attempts table.
        try h.journal.writer.write { db in try db.execute(sql: "UPDATE plan_instances SET attempts = 0, state = 'pending'") }
        try h.restart()
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.journal.attempts(planId: plan).map(\.attempt), [1, 2])
    }

    func testSchemaRefusesUnknownStateWords() throws {
        let h = try SchedulerHarness(ids: ["i-1"])
        let plan = try h.submit(SchedulerHarness.plan(["i-1"]))
        XCTAssertThrowsError(
            try h.journal.writer.write { db in
                try db.execute(sql: "UPDATE plans SET state = 'halted' WHERE id = ?", arguments: [plan])
            })
        XCTAssertThrowsError(try h.journal.writer.write { db in try db.execute(sql: "UPDATE plan_instances SET state = 'done'") })
        XCTAssertThrowsError(try h.journal.writer.write { db in try db.execute(sql: "UPDATE plans SET stopRequest = 'stop'") })
    }

    func testAFailedFinalCommitIsReported() throws {
        let h = try SchedulerHarness(ids: ["i-1"])
        try h.submit(SchedulerHarness.plan(["i-1"]))
        h.run(for: 0.2)
        h.journal.enqueue { _ in throw DatabaseErrorForTest() }
        let result = Box()
        let done = expectation(description: "stopped")
        h.scheduler.stop(grace: 1) { ok in
            result.ok = ok
            done.fulfill()
        }
        h.clock.advance(by: 2)
        wait(for: [done], timeout: 5)
        XCTAssertEqual(result.ok, false, "the daemon must not exit 0 when its last commit failed")
    }

    struct DatabaseErrorForTest: Error {}
    final class Box: @unchecked Sendable { var ok: Bool? }
}
