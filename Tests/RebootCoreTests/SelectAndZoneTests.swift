import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §2 `select`, `zones: one-at-a-time`, `pauseBetweenZones`, `checkpoints` (issue 26),
/// judged from what the fake cloud saw.
final class SelectAndZoneTests: XCTestCase {
    /// 12 instances over 3 zones, round-robin; the even ones tagged role:web.
    func fleet() throws -> SchedulerHarness {
        let h = try SchedulerHarness(ids: SchedulerHarness.ids(12))
        for (n, id) in SchedulerHarness.ids(12).enumerated() {
            h.cloud.zones[id] = ["cn-bj-a", "cn-bj-b", "cn-bj-c"][n % 3]
            h.cloud.tags[id] = [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "role", value: n % 2 == 0 ? "web" : "db")]
        }
        return h
    }

    func testASelectedPlanRebootsExactlyWhatItsQueryMatchedOnceAndJournalsIt() throws {
        let h = try fleet()
        let plan = try h.submit(SchedulerHarness.plan([]) { $0.select = PlanSelection(tags: ["env:prod", "role:web"]) })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let web = SchedulerHarness.ids(12).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id).sorted(), web, "every selected instance once, nothing else")
        XCTAssertEqual(h.cloud.listCalls.count, 1, "resolved once")
        XCTAssertLessThanOrEqual(
            try XCTUnwrap(h.cloud.listCalls.first?.at), try XCTUnwrap(h.cloud.rebootCalls.first?.at), "before any call")
        let rows = try h.journal.instances(planId: plan)
        XCTAssertEqual(rows.map(\.instanceId), web, "the resolved ids are the plan's rows, in the listing's order")
        XCTAssertEqual(try h.journal.instanceZones(planId: plan)[web[1]], "cn-bj-c", "their zones are journaled")
        let record = try XCTUnwrap(h.journal.plan(id: plan))
        XCTAssertEqual(record.instanceCount, 6)
        XCTAssertEqual(record.batchCount, 3)
        let selected = try h.journal.events(planId: plan).filter { $0.kind == "selected" }.map(\.detail)
        XCTAssertEqual(selected.count, 1)
        XCTAssertTrue(selected[0].contains("select: tags env:prod,role:web"), "the query is journaled: \(selected)")
        // A restart (the plan is done): nothing is listed again.
        try h.restart()
        h.run(for: 5)
        XCTAssertEqual(h.cloud.listCalls.count, 1)
    }

    func testAnEmptySelectionFailsThePlanWithAClearReasonAndCallsNothing() throws {
        let h = try fleet()
        let plan = try h.submit(SchedulerHarness.plan([]) { $0.select = PlanSelection(tags: ["env:staging"]) })
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "failed", "never succeeded with nothing done")
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, "select matched no instance (select: tags env:staging)")
        XCTAssertEqual(h.cloud.rebootCalls.count, 0)
        XCTAssertEqual(h.events.all.last?.event, .planFinished)
    }

    func testOneAtATimeNeverHasTwoZonesOutOfRunningAndPausesBetweenZones() throws {
        let h = try fleet()
        h.cloud.rebootDuration = 3
        let ids = SchedulerHarness.ids(12)
        let plan = try h.submit(
            SchedulerHarness.plan(ids, batch: .fixed(.count(3))) {
                $0.zones = .oneAtATime
                $0.pauseBetweenZones = 20
            })
        XCTAssertTrue(h.run(for: 300) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let calls = h.cloud.rebootCalls
        XCTAssertEqual(calls.map(\.id).sorted(), ids, "each instance once")
        // Out of Running from its call until rebootDuration later: per zone, those spans never
        // overlap another zone's.
        let zone = { (id: String) in h.cloud.zones[id] ?? "" }
        let expected: [String] = ["cn-bj-a", "cn-bj-b", "cn-bj-c"].flatMap { [String](repeating: $0, count: 4) }
        XCTAssertEqual(calls.map { zone($0.id) }, expected, "zones one after the other")
        for (a, b) in zip(calls, calls.dropFirst()) where zone(a.id) != zone(b.id) {
            let lastOfZone = calls.filter { zone($0.id) == zone(a.id) }.map(\.at).max() ?? a.at
            XCTAssertGreaterThanOrEqual(b.at.timeIntervalSince(lastOfZone), 3 + 20, "the zone was Running again, then pauseBetweenZones")
        }
        XCTAssertEqual(try h.journal.plan(id: plan)?.batchCount, 6, "3 + 1 per zone: batchSize applies within a zone")
    }

    func testACheckpointPausesAfterItsBatchUntilResumed() throws {
        let h = try fleet()
        let ids = SchedulerHarness.ids(6)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))) { $0.checkpoints = [1] })
        XCTAssertTrue(h.run(for: 60) { (try? h.planState(plan)) == "paused" })
        h.run(for: 60)  // it stays paused
        XCTAssertEqual(h.cloud.rebootCalls.count, 2, "only the first batch")
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, "checkpoint after batch 1/3: approve the next with rebootctl resume")
        XCTAssertTrue(h.events.all.contains { $0.event == .planPaused && $0.cause == .checkpoint })
        try h.restart()
        h.run(for: 30)  // a restart keeps the checkpoint's pause
        XCTAssertEqual(h.cloud.rebootCalls.count, 2)
        try h.control(plan, "resume")
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id).sorted(), ids)
    }

    func testACancelWhileTheSelectionIsListedEndsThePlanAndCallsNothing() throws {
        let h = try fleet()
        h.cloud.listScript = { _ in BCCError(httpStatus: 503, code: "ServiceUnavailable", message: "busy") }
        let plan = try h.submit(SchedulerHarness.plan([]) { $0.select = PlanSelection(tags: ["env:prod"]) })
        XCTAssertTrue(h.run(for: 10) { h.cloud.listCalls.count >= 2 }, "the listing is retried")
        try h.control(plan, "cancel")
        h.cloud.listScript = nil
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        h.run(for: 30)
        XCTAssertEqual(try h.planState(plan), "cancelled")
        XCTAssertEqual(h.cloud.rebootCalls.count, 0)
    }

    /// A zone whose reboots did not all come back Running still has hosts down: the plan halts
    /// there instead of taking the next zone down too (whatever `maxFailures` allows).
    func testAZoneWithAHostDownHaltsThePlanBeforeTheNextZone() throws {
        let h = try fleet()
        h.cloud.rebootDuration = 1_000
        let ids = SchedulerHarness.ids(12)
        let plan = try h.submit(
            SchedulerHarness.plan(ids, batch: .fixed(.count(2))) {
                $0.zones = .oneAtATime
                $0.rebootTimeout = 10
                $0.maxFailures = .count(10)
            })
        XCTAssertTrue(h.run(for: 300) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "failed")
        XCTAssertEqual(Set(h.cloud.rebootCalls.map { h.cloud.zones[$0.id] ?? "" }), ["cn-bj-a"], "no call in the next zone")
        let reason = try XCTUnwrap(try h.journal.plan(id: plan)?.reason)
        XCTAssertTrue(reason.hasPrefix("zone cn-bj-a: i-0001, i-0004, i-0007 and 1 more did not come back Running; cn-bj-b not started"), reason)
        let rows = try h.instances(plan)
        XCTAssertEqual(rows.values.filter { $0.state == "skipped" }.count, 8, "the other zones' instances are left, skipped")
        XCTAssertTrue(h.events.all.contains { $0.event == .planHalted && $0.reason == reason })
        try h.restart()
        h.run(for: 10)
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, reason, "the halt's reason holds across a restart")
    }

    /// A checkpoint reached while an account error holds the plan is still a checkpoint: neither
    /// `resume --all` nor the end of the account pause passes it; the plan's own resume does.
    func testACheckpointIsNotPassedByResumeAll() throws {
        let h = try fleet()
        let ids = SchedulerHarness.ids(6)
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(2))) { $0.checkpoints = [1] })
        XCTAssertTrue(h.run(for: 10) { h.cloud.rebootCalls.count == 2 })
        final class Once: @unchecked Sendable { var fired = false }
        let once = Once()
        h.cloud.describeScript = { _ in
            guard !once.fired else { return nil }
            once.fired = true
            return BCCError(httpStatus: 403, code: "AccessDenied", message: "the key is disabled")
        }
        XCTAssertTrue(h.run(for: 60) { h.events.all.contains { $0.cause == .checkpoint } }, "the checkpoint is announced while paused")
        try h.control("all", "resume")
        h.run(for: 60)
        XCTAssertEqual(h.cloud.rebootCalls.count, 2, "resume --all is no approval")
        XCTAssertEqual(try h.planState(plan), "paused")
        try h.restart()
        h.run(for: 30)
        XCTAssertEqual(h.cloud.rebootCalls.count, 2, "nor a restart")
        try h.control(plan, "resume")
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertTrue(try h.journal.events(planId: plan).contains { $0.kind == "approved" })
    }
}
