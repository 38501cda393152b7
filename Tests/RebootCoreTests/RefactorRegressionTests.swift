import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// What the issue-24 refactor changed by mistake, found by review: each test states what the
/// code before it (3b98537) did, and failed on the refactor until it was fixed.
final class RefactorRegressionTests: XCTestCase {
    /// Before the refactor, `batch-finished` was emitted before the plan's next state was
    /// entered: its `state` was the plan's state while the batch ran ("running"). The plan
    /// machine's step now moves the state (to `succeeded` for the last batch) before the
    /// scheduler performs `.batchFinished`, so the notification says the plan already ended.
    func testTheLastBatchFinishedEventSaysRunningAsBefore() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let done = h.events.all.filter { $0.event == .batchFinished }
        XCTAssertEqual(done.map(\.batch), [1, 2])
        XCTAssertEqual(done.map(\.state), ["running", "running"], "old: emitted before finishPlan changed the state")
    }

    /// The same for a cancelled plan: the old batch-finished said "running", then plan-finished
    /// said "cancelled".
    func testACancelledPlansBatchFinishedEventSaysRunningAsBefore() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.rebootDuration = 5
        let plan = try h.submit(SchedulerHarness.plan(ids))
        XCTAssertTrue(h.run(for: 3) { h.cloud.rebootCalls.count == 2 })
        try h.control(plan, "cancel")
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "cancelled")
        let done = h.events.all.filter { $0.event == .batchFinished }
        XCTAssertEqual(done.map(\.state), ["running"], "old: emitted before finishPlan changed the state")
    }

    /// Before the refactor `InstanceRun.polled` set `observedNonRunning` for every instance in
    /// state `rebooting`, which included a call in doubt and one that cannot be resolved
    /// (unknowable). The new check is `phase == .rebooting`: an unknowable instance read
    /// `Starting` is journaled with `observedNonRunning = false`.
    func testAnUnknowableInstanceReadNotRunningIsJournaledObservedNonRunning() throws {
        let h = try SchedulerHarness(ids: ["i-a"], settings: SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1))
        h.cloud.rebootDuration = 30
        let plan = try h.submit(SchedulerHarness.plan(["i-a"]))
        XCTAssertTrue(h.run(for: 2) { h.cloud.rebootCalls.count == 1 })
        let stopped = expectation(description: "stopped")
        h.scheduler.stop(grace: 1) { _ in stopped.fulfill() }
        wait(for: [stopped], timeout: 5)
        // As the journal holds it after a call in doubt went unknowable through a status outage
        // (nothing non-Running was read): followed until Running, never sent again.
        try h.journal.writer.write { db in
            try db.execute(
                sql: "UPDATE plan_instances SET state = 'rebooting', lastError = 'in-doubt', observedNonRunning = 0, lastStatus = 'Running'")
        }
        try h.restart()
        XCTAssertTrue(h.run(for: 5) { (try? h.instances(plan)["i-a"]?.lastStatus) == "Starting" })
        let row = try XCTUnwrap(h.instances(plan)["i-a"])
        XCTAssertEqual(row.state, "rebooting")
        XCTAssertTrue(row.observedNonRunning, "old: a Starting reading of a rebooting (unknowable) instance was journaled as observed")
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-a"]?.lastError, "in-doubt")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1)
    }
}
