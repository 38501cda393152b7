import BCC
import Foundation
import GRDB
import RebootTesting
import XCTest

@testable import RebootCore

/// What a restart in the middle of things reads and follows (SPEC §4.1, §4.8, §4.13; issue 23).
final class RestartReadTests: XCTestCase {
    /// A batch half called when the daemon stops: after the restart its pending instances are
    /// read again before their calls; one stopped meanwhile gets none.
    func testARestartReadsTheBatchAgainBeforeItsCalls() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(
            ids: ids, settings: SchedulerSettings(requestsPerSecond: 1, burst: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(4))))
        XCTAssertTrue(h.run(for: 10) { h.cloud.rebootCalls.count >= 1 })
        let called = Set(h.cloud.rebootCalls.map(\.id))
        let stopped = try XCTUnwrap(ids.last { !called.contains($0) })
        h.cloud.statuses[stopped] = .stopped
        try h.restart()
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertFalse(h.cloud.rebootCalls.contains { $0.id == stopped }, "read Stopped after the restart: no call")
        XCTAssertEqual(try h.instances(plan)[stopped]?.lastError, "Stopped")
    }

    /// A call in doubt that could not be resolved is followed across a restart the same way:
    /// never reported rebooted, never sent again, `failed (in-doubt)` once read Running.
    func testAnUnknowableCallIsStillFollowedAfterARestart() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtMaxGap: 4, minRebootTime: 2, requestTimeout: 1)
        settings.retry = .init(maxAttempts: 6, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-d"], settings: settings)
        h.cloud.rebootDuration = 60
        var outageEnds = Date.distantPast
        h.cloud.rebootScript = { _ in
            outageEnds = h.clock.now() + 40
            return BCCError.timeout(seconds: 1, mutating: true)
        }
        h.cloud.describeScript = { _ in h.clock.now() < outageEnds ? BCCError(httpStatus: 500, code: "InternalError", message: "down") : nil }
        let plan = try h.submit(
            SchedulerHarness.plan(["i-d"]) {
                $0.rebootTimeout = 30
                $0.maxFailures = .percent(100)
            })
        XCTAssertTrue(h.run(for: 45) { (try? h.journal.attempts(planId: plan).first?.outcome) == "unknown" })
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "rebooting", "followed")
        try h.restart()
        h.run(for: 5)
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "rebooting", "still followed after the restart: read Starting")
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "failed")
        XCTAssertEqual(try h.instances(plan)["i-d"]?.lastError, "in-doubt")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1)
    }

    /// A batch whose end was not committed before a kill (here: the stamp still names the batch
    /// before, and no `batch-done` for it): the restart ends it then and waits the whole pause,
    /// rather than measuring the pause from the earlier batch's end.
    func testABatchEndLostToAKillGetsTheWholePauseAfterTheRestart() throws {
        let ids = SchedulerHarness.ids(3)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(1))) { $0.pauseBetweenBatches = 60 })
        XCTAssertTrue(h.run(for: 120) { (try? h.instances(plan)["i-0002"]?.state) == "rebooted" })
        h.run(for: 1)
        try h.journal.writer.write { db in
            // The stamp as batch 1 left it: its number, and its time (about 63 s earlier).
            try db.execute(sql: "UPDATE plans SET batchDoneBatch = 0, batchDoneBoottimeNs = batchDoneBoottimeNs - 63000000000")
            try db.execute(sql: "DELETE FROM plan_events WHERE kind = 'batch-done' AND detail LIKE 'batch 2/%'")
        }
        let restarted = h.clock.now()
        try h.restart()
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        let third = try XCTUnwrap(h.cloud.rebootCalls.first { $0.id == "i-0003" })
        XCTAssertGreaterThanOrEqual(third.at.timeIntervalSince(restarted), 59, "the whole pause after batch 2, counted from the restart")
        XCTAssertEqual(try h.journal.events(planId: plan).filter { $0.kind == "batch-done" }.count, 3, "batch 2's end journaled once, at the restart")
    }
}
