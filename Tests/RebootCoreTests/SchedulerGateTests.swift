import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Health gates before every batch (SPEC §4.14), in virtual time with scripted gates.
final class SchedulerGateTests: XCTestCase {
    static func settings(interval: TimeInterval = 5, timeout: TimeInterval = 60) -> SchedulerSettings {
        SchedulerSettings(
            requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1,
            gates: [
                "quorum": HealthGate(name: "quorum", kind: .command(["/bin/true"])),
                "alerts": HealthGate(name: "alerts", kind: .prometheus(base: URL(string: "http://127.0.0.1:9")!, query: "ALERTS")),
            ],
            gateInterval: interval, gateTimeout: timeout)
    }

    /// Two instances behind a `quorum` gate that answers "exit 1".
    func blockedPlan(interval: TimeInterval, timeout: TimeInterval) throws -> (SchedulerHarness, String) {
        let ids = SchedulerHarness.ids(2)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings(interval: interval, timeout: timeout))
        h.gates.set("quorum", .blocked("exit 1"))
        return (h, try h.submit(SchedulerHarness.plan(ids) { $0.healthGates = ["quorum"] }))
    }

    func testABlockedGateHoldsTheNextBatchAndItStartsWithinOneIntervalOfClearing() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings())
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.healthGates = ["alerts", "quorum"] })
        XCTAssertTrue(h.run(for: 5) { h.cloud.rebootCalls.count == 2 })
        XCTAssertEqual(Set(h.gates.checks.map(\.gate)), ["alerts", "quorum"], "the first batch is gated too")
        XCTAssertEqual(h.gates.checks.map(\.context.batch), [1, 1])
        h.gates.set("quorum", .blocked("exit 1: quorum 2/3"))

        h.run(for: 40)
        XCTAssertEqual(h.cloud.rebootCalls.count, 2, "batch 2 never starts while a gate is blocked")
        XCTAssertEqual(try h.planState(plan), "waiting-gate")
        XCTAssertEqual(try h.journal.plan(id: plan)?.reason, "waiting for gate quorum: exit 1: quorum 2/3")
        let batch2 = h.gates.checks.filter { $0.gate == "quorum" && $0.context.batch == 2 }.map(\.at)
        XCTAssertGreaterThanOrEqual(batch2.count, 6)
        for (a, b) in zip(batch2, batch2.dropFirst()) { XCTAssertEqual(b.timeIntervalSince(a), 5, accuracy: 0.1, "checked again every gateInterval") }

        let cleared = h.clock.now()
        h.gates.set("quorum", .passed("exit 0"))
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let started = try XCTUnwrap(h.cloud.rebootCalls.dropFirst(2).first?.at)
        XCTAssertLessThanOrEqual(started.timeIntervalSince(cleared), 5.1, "batch 2 starts within one gateInterval of the gate clearing")
        XCTAssertEqual(h.cloud.rebootCalls.map(\.id), ids, "each instance once")

        let checks = try h.journal.events(planId: plan).filter { $0.kind == "gate-check" }
        XCTAssertTrue(checks.contains { $0.detail.hasPrefix("gate quorum before batch 2/2: blocked: exit 1: quorum 2/3") })
        XCTAssertTrue(checks.contains { $0.detail.hasPrefix("gate quorum before batch 2/2: passed") })
        XCTAssertEqual(h.events.all.filter { $0.event == .gateBlocked }.count, 1, "gate-blocked once per wait, not per check")
    }

    func testAGateBlockedPastGateTimeoutHaltsThePlanWithoutCallingAnything() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings(interval: 5, timeout: 60))
        h.gates.set("quorum", .blocked("exit 2: no quorum"))
        let submitted = h.clock.now()
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.healthGates = ["quorum"] })
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        let record = try XCTUnwrap(h.journal.plan(id: plan))
        XCTAssertEqual(record.state, "failed")
        XCTAssertEqual(record.reason, "gate quorum: exit 2: no quorum")
        XCTAssertEqual(record.stopRequest, "halt", "the halt is journaled and holds across a restart")
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty)
        XCTAssertEqual(Set(try h.instances(plan).values.map(\.state)), ["skipped"])
        let last = try XCTUnwrap(h.gates.checks.last?.at)
        XCTAssertEqual(last.timeIntervalSince(submitted), 60, accuracy: 5.1, "halted at gateTimeout, not before")
        XCTAssertEqual(h.events.all.map(\.event), [.planAccepted, .gateBlocked, .planHalted, .planFinished])
        XCTAssertEqual(h.events.all.last?.state, "failed")

        try h.restart()
        h.run(for: 30)
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty, "a restarted daemon never calls an instance of a halted plan")
    }

    func testAPausedPlanChecksNothingAndChecksAfreshWhenResumed() throws {
        let (h, plan) = try blockedPlan(interval: 5, timeout: 60)
        h.run(for: 12)
        try h.control(plan, "pause")
        h.run(for: 0.5)
        let before = h.gates.checks.count
        h.run(for: 120)
        XCTAssertEqual(h.gates.checks.count, before, "a paused plan checks nothing")
        XCTAssertEqual(try h.planState(plan), "paused", "and the pause does not run down gateTimeout")
        h.gates.set("quorum", .passed("exit 0"))
        try h.control(plan, "resume")
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        XCTAssertEqual(h.cloud.rebootCalls.count, 2)
    }

    func testADryRunChecksAndJournalsItsGatesAndCallsNothing() throws {
        let ids = SchedulerHarness.ids(3)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings())
        h.gates.set("alerts", .blocked("1 series: ALERTS{alertname=Down}"))
        let plan = try h.submit(
            SchedulerHarness.plan(ids) {
                $0.dryRun = true
                $0.healthGates = ["quorum", "alerts"]
            })
        XCTAssertTrue(h.run(for: 5) { h.finished(plan) })
        XCTAssertTrue(h.cloud.calls.isEmpty, "a dry run calls nothing")
        XCTAssertEqual(h.gates.checks.map(\.gate), ["quorum", "alerts"])
        let record = try XCTUnwrap(h.journal.plan(id: plan))
        XCTAssertEqual(record.state, "succeeded")
        XCTAssertEqual(record.reason, "dry run: nothing was called; gates: quorum passed, alerts blocked")
        let checks = try h.journal.events(planId: plan).filter { $0.kind == "gate-check" }.map(\.detail)
        XCTAssertEqual(checks.count, 2)
        XCTAssertTrue(checks.contains("gate alerts before batch 1/2: blocked: 1 series: ALERTS{alertname=Down}"))
    }

    func testPlanEventsComeInOrderWithTheirCounts() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings())
        h.cloud.statuses["i-0004"] = .stopped
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.healthGates = ["quorum"] })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let events = h.events.all
        XCTAssertEqual(events.map(\.event), [.planAccepted, .planStarted, .batchFinished, .batchFinished, .planFinished])
        XCTAssertEqual(events.map(\.batch), [nil, 1, 1, 2, nil])
        XCTAssertEqual(events[0].counts, ["pending": 4])
        XCTAssertEqual(events[2].counts["rebooted"], 2)
        let last = try XCTUnwrap(events.last)
        XCTAssertEqual(last.state, "succeeded")
        XCTAssertEqual(last.counts["rebooted"], 3)
        XCTAssertEqual(last.counts["skipped"], 1)
        XCTAssertTrue(events.allSatisfy { $0.planId == plan && $0.batchCount == 2 && $0.instances == 4 })
    }

    func testPausesAreEventsWithTheirCause() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings())
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(1))))
        XCTAssertTrue(h.run(for: 5) { h.cloud.rebootCalls.count == 1 })
        try h.control(plan, "pause")
        try h.control(plan, "pause")
        h.run(for: 1)
        let paused = h.events.all.filter { $0.event == .planPaused }
        XCTAssertEqual(paused.count, 1, "a second pause of a paused plan is no new event")
        XCTAssertEqual(paused.first?.cause, .byOperator)
    }

    /// Review finding: an answer from a round abandoned by a pause was taken for the round
    /// started after the resume, and two answers of one gate completed a round whose other gate
    /// never answered, so the batch started with that gate blocked.
    func testAnAnswerFromAnAbandonedRoundNeverPassesALaterOne() throws {
        let ids = SchedulerHarness.ids(2)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings(interval: 5, timeout: 600))
        h.gates.holding = true
        h.gates.set("quorum", .blocked("exit 1: quorum 2/3"))
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.healthGates = ["alerts", "quorum"] })
        h.run(for: 1)
        XCTAssertEqual(h.gates.checks.count, 2, "round 1 asked both gates")
        try h.control(plan, "pause")
        h.run(for: 1)
        try h.control(plan, "resume")
        h.run(for: 1)
        XCTAssertEqual(h.gates.checks.count, 4, "a fresh round after the resume")
        h.gates.release("alerts")  // round 1's and round 2's alerts pass; quorum has not answered
        h.run(for: 2)
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty, "no batch while quorum has not passed")
        h.gates.release("quorum")
        h.run(for: 2)
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty, "quorum is blocked")
        XCTAssertEqual(try h.planState(plan), "waiting-gate")
    }

    /// Review finding: a check that never answers left the plan waiting forever; a round now
    /// has a deadline (the slowest gate's timeout and a grace), past which it is blocked.
    func testARoundThatNeverAnswersIsBlockedAndTheTimeoutHalts() throws {
        let ids = SchedulerHarness.ids(2)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings(interval: 5, timeout: 60))
        h.gates.holding = true
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.healthGates = ["quorum"] })
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        let record = try XCTUnwrap(h.journal.plan(id: plan))
        XCTAssertEqual(record.state, "failed")
        XCTAssertTrue(record.reason?.hasPrefix("gate quorum: no answer within") == true, record.reason ?? "")
        XCTAssertTrue(h.cloud.rebootCalls.isEmpty)
    }

    /// Review finding: a gate answer arriving after a cancel could halt the plan, turning its
    /// end from cancelled into failed.
    func testAnAnswerAfterACancelChangesNothing() throws {
        let (h, plan) = try blockedPlan(interval: 1, timeout: 2)
        h.run(for: 1.5)
        h.gates.holding = true
        h.run(for: 1.5)
        try h.control(plan, "cancel")
        h.gates.release()
        XCTAssertTrue(h.run(for: 10) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "cancelled")
        XCTAssertEqual(try h.journal.plan(id: plan)?.stopRequest, "cancel")
        XCTAssertFalse(h.events.all.contains { $0.event == .planHalted })
    }

    /// Review finding: a restart between batches journaled `batch-done` again and sent
    /// `batch-finished` a second time.
    func testARestartBetweenBatchesSendsNoEventAgain() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings())
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.pauseBetweenBatches = 30 })
        XCTAssertTrue(h.run(for: 20) { h.events.all.contains { $0.event == .batchFinished } })
        let before = h.events.all.count
        try h.restart()
        h.run(for: 5)
        XCTAssertEqual(h.events.all.count, before, "nothing resent after a restart")
        XCTAssertEqual(try h.journal.events(planId: plan).filter { $0.kind == "batch-done" }.count, 1)
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(h.events.all.filter { $0.event == .batchFinished }.map(\.batch), [1, 2])
    }

    /// Review finding: a dry run cancelled while its gates were being checked ended succeeded.
    func testADryRunCancelledDuringItsChecksEndsCancelled() throws {
        let ids = SchedulerHarness.ids(2)
        let h = try SchedulerHarness(ids: ids, settings: Self.settings())
        h.gates.holding = true
        let plan = try h.submit(
            SchedulerHarness.plan(ids) {
                $0.dryRun = true
                $0.healthGates = ["quorum"]
            })
        h.run(for: 1)
        try h.control(plan, "cancel")
        h.gates.release()
        XCTAssertTrue(h.run(for: 5) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "cancelled")
    }

    /// Review finding: pausing or cancelling a plan that had not started sent nothing.
    func testAQueuedPlansPauseAndCancelAreEvents() throws {
        let ids = SchedulerHarness.ids(4)
        var settings = Self.settings()
        settings.maxActivePlans = 1
        let h = try SchedulerHarness(ids: ids, settings: settings)
        _ = try h.submit(SchedulerHarness.plan(Array(ids.prefix(2))) { $0.pauseBetweenBatches = 600 })
        let queued = try h.submit(SchedulerHarness.plan(Array(ids.suffix(2))) { $0.name = "second" })
        h.run(for: 2)
        XCTAssertEqual(try h.planState(queued), "queued")
        try h.control(queued, "pause")
        try h.control(queued, "cancel")
        h.run(for: 1)
        let mine = h.events.all.filter { $0.planId == queued }.map(\.event)
        XCTAssertEqual(mine, [.planAccepted, .planPaused, .planFinished])
        XCTAssertEqual(h.events.all.last { $0.planId == queued }?.state, "cancelled")
        XCTAssertEqual(h.events.all.last { $0.planId == queued }?.counts, ["cancelled": 2])
    }
}
