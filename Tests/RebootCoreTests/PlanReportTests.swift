import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// The data behind `rebootctl report` (SPEC §10), from a journal the scheduler wrote in virtual
/// time: 409 waits, a call in doubt, a pause, a cancel and a failure; and the HTML drawn from it.
final class PlanReportTests: XCTestCase {
    func runEventfulPlan() throws -> (SchedulerHarness, String) {
        let ids = SchedulerHarness.ids(8)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.busyAtCall["i-0001"] = (.starting, 3)
        h.cloud.statuses["i-0003"] = .error
        var lostOnce = false
        h.cloud.rebootScript = { id in
            guard id == "i-0002", !lostOnce else { return nil }
            lostOnce = true
            return BCCError.timeout(seconds: 1, mutating: true)
        }
        let plan = try h.submit(
            SchedulerHarness.plan(ids) {
                $0.maxFailures = .count(1)
                $0.pauseBetweenBatches = 20
            })
        XCTAssertTrue(h.run(for: 60) { (try? h.instances(plan)["i-0004"]?.state) == "rebooted" })
        try h.control(plan, "pause")
        h.run(for: 10)
        try h.control(plan, "resume")
        h.run(for: 1)
        try h.control(plan, "cancel")
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        return (h, plan)
    }

    func testTheReportTellsWhatHappenedToEachInstanceAndThePlan() throws {
        let (h, plan) = try runEventfulPlan()
        let r = try XCTUnwrap(h.journal.planReport(planId: plan, now: h.clock.wallNow()))
        XCTAssertEqual(r.plan.state, "cancelled")
        XCTAssertEqual(r.counts["rebooted"], 3)
        XCTAssertEqual(r.counts["failed"], 1)
        XCTAssertEqual(r.counts["cancelled"], 4)
        let byId = Dictionary(uniqueKeysWithValues: r.instances.map { ($0.id, $0) })

        let waited = try XCTUnwrap(byId["i-0001"])
        XCTAssertEqual(waited.state, "rebooted")
        let conflict = try XCTUnwrap(waited.marks.first { $0.kind == "conflict" })
        XCTAssertNotNil(conflict.until, "the 409 wait is a span, up to the call that was accepted")
        XCTAssertGreaterThan(try XCTUnwrap(conflict.until), conflict.at)
        XCTAssertEqual(waited.firstCallAt, conflict.at, "the bar starts at the first call, the refused one")

        let doubted = try XCTUnwrap(byId["i-0002"])
        XCTAssertEqual(doubted.state, "rebooted")
        let doubt = try XCTUnwrap(doubted.marks.first { $0.kind == "in-doubt" })
        XCTAssertTrue(doubt.detail.hasSuffix("it took effect"), doubt.detail)
        let lost = try XCTUnwrap(h.journal.attempts(planId: plan).first { $0.instanceId == "i-0002" })
        XCTAssertEqual(doubt.until, lost.finishedAt, "in doubt until its answer was given up, not until the reboot ended")

        let failed = try XCTUnwrap(byId["i-0003"])
        XCTAssertEqual(failed.state, "failed")
        XCTAssertNotNil(failed.reason, "a failure carries its reason")
        XCTAssertEqual(byId["i-0005"]?.reason, "plan cancelled")
        XCTAssertNil(byId["i-0005"]?.firstCallAt)

        let kinds = r.marks.map(\.kind)
        for kind in ["batch-start", "batch-done", "paused", "resumed", "control", "cancelled"] {
            XCTAssertTrue(kinds.contains(kind), "\(kind) in \(kinds)")
        }
        XCTAssertEqual(r.marks.filter { $0.kind == "control" }.map(\.by), ["ops", "ops", "ops"], "who paused, resumed, cancelled")
        XCTAssertEqual(r.marks.map(\.at), r.marks.map(\.at).sorted(), "marks in time order")
        XCTAssertEqual(r.batches.map(\.number), [1, 2, 3, 4])
        XCTAssertNotNil(r.batches[1].startedAt)
        XCTAssertNotNil(r.batches[1].doneAt)
        XCTAssertNil(r.batches[2].startedAt, "batch 3 never started")
        XCTAssertEqual(r.durations?.count, 3)
        XCTAssertLessThanOrEqual(try XCTUnwrap(r.durations?.p50), try XCTUnwrap(r.durations?.max))
        XCTAssertEqual(
            r.apiCalls.first { $0.kind == "reboot" && $0.outcome == "conflict" }?.count, 1,
            "i-0001 once (i-0003, read Error at its batch start, failed without a call)")
        XCTAssertEqual(r.apiCalls.reduce(0) { $0 + $1.count }, try h.journal.attempts(planId: plan).count)
        XCTAssertEqual(r.plan.settings.batchSizes, [2, 2, 2, 2])
        XCTAssertLessThanOrEqual(r.start, r.end)

        // The JSON is the same data, and round-trips.
        let json = try JSONEncoder().encode(r)
        XCTAssertEqual(try JSONDecoder().decode(PlanReport.self, from: json), r)
    }

    func testTheHTMLIsSelfContainedWithOneRowPerInstance() throws {
        let (h, plan) = try runEventfulPlan()
        let r = try XCTUnwrap(h.journal.planReport(planId: plan, now: h.clock.wallNow()))
        let html = PlanReportHTML.render(r)
        XCTAssertEqual(html.components(separatedBy: "<g class=\"row\"").count - 1, 8)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertFalse(html.contains("url("), "no fetched CSS resource")
        XCTAssertFalse(html.contains("src="))
        let external = html.components(separatedBy: "http").dropFirst().filter { !$0.hasPrefix("://www.w3.org/2000/svg") }
        XCTAssertTrue(external.isEmpty, "no address but the SVG namespace")
        XCTAssertTrue(html.contains("data-instance=\"i-0003\" data-batch=\"2\" data-state=\"failed\""))
        let failedRow = try XCTUnwrap(html.components(separatedBy: "data-instance=\"i-0003\"").last?.components(separatedBy: "</g>").first)
        XCTAssertTrue(failedRow.contains("<title>i-0003 (batch 2): failed: "), failedRow)
        XCTAssertTrue(html.contains("@media (prefers-color-scheme:dark)"))
        XCTAssertTrue(html.contains("@media print"))
    }

    func testAHundredThousandInstanceReportStaysUnderTwoMegabytes() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func at(_ s: Double) -> String { JournalTime.format(t0 + s) }
        var instances: [PlanReport.Instance] = []
        instances.reserveCapacity(100_000)
        for i in 0..<100_000 {
            let failed = i % 997 == 0
            instances.append(
                .init(
                    id: String(format: "i-%08d", i), batch: i / 100 + 1, state: failed ? "failed" : "rebooted",
                    reason: failed ? "timeout" : nil, firstCallAt: at(Double(i) * 0.1), runningAt: failed ? nil : at(Double(i) * 0.1 + 40),
                    finishedAt: at(Double(i) * 0.1 + 40), attempts: 1, conflicts: 0,
                    marks: failed ? [] : [.init(kind: "conflict", at: at(Double(i) * 0.1), until: at(Double(i) * 0.1 + 5), detail: "409")]))
        }
        let batches = (0..<1000).map {
            PlanReport.Batch(number: $0 + 1, size: 100, startedAt: at(Double($0) * 10), doneAt: at(Double($0) * 10 + 45), counts: ["rebooted": 100])
        }
        let marks =
            batches.map { PlanReport.Mark(kind: "batch-start", at: $0.startedAt!, detail: "batch \($0.number)/1000: 100 instances") }
            + (0..<3000).map {
                PlanReport.Mark(kind: "gate-passed", at: at(Double($0) * 3), detail: "gate quorum before batch 1/1000: passed: exit 0")
            }
        let settings = PlanReportBuilder.settings(Plan(name: "big", instances: ["i-1"], batchSize: .fixed(.count(100))))
        let report = PlanReport(
            plan: .init(
                id: "20261128T000000Z-big", name: "big", state: "succeeded", reason: nil, sourceFile: "big.yaml", sha256: "00",
                submitter: "ops", submitterUid: 1000, submittedAt: at(0), startedAt: at(0), finishedAt: at(10_100), settings: settings),
            counts: ["rebooted": 99_899, "failed": 101], durations: PlanReportBuilder.summarize([40, 41, 60]), apiCalls: [],
            start: at(0), end: at(10_100), instances: instances, batches: batches, marks: marks)
        let html = PlanReportHTML.render(report)
        XCTAssertLessThan(html.utf8.count, 2 << 20, "\(html.utf8.count) bytes")
        let rows = html.components(separatedBy: "<g class=\"row\"").count - 1
        XCTAssertEqual(rows, 500, "1,000 batches drawn as 500 rows of two")
        XCTAssertTrue(html.contains("batches 1–2: 200 instances: 1 failed, 199 rebooted; failed timeout ×1"), "a row's failures, with their reason")
    }

    /// SPEC §10: the report shows the plan's ticket, in the JSON and in the HTML's header.
    func testTheReportCarriesTheTicket() throws {
        let ids = SchedulerHarness.ids(2)
        let h = try SchedulerHarness(ids: ids)
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.ticket = "CHG-42 <kernel> & co" })
        let plain = try h.submit(SchedulerHarness.plan(ids) { $0.name = "plain" })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) && h.finished(plain) })
        let r = try XCTUnwrap(h.journal.planReport(planId: plan, now: h.clock.wallNow()))
        XCTAssertEqual(r.plan.ticket, "CHG-42 <kernel> & co")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any])
        XCTAssertEqual((json["plan"] as? [String: Any])?["ticket"] as? String, "CHG-42 <kernel> & co")
        XCTAssertTrue(PlanReportHTML.render(r).contains("<tr><th>ticket</th><td>CHG-42 &lt;kernel&gt; &amp; co</td></tr>"))
        let none = try XCTUnwrap(h.journal.planReport(planId: plain, now: h.clock.wallNow()))
        XCTAssertNil(none.plan.ticket)
        XCTAssertFalse(PlanReportHTML.render(none).contains("<th>ticket</th>"), "no ticket row without a ticket")
    }

    func testPercentilesAreNearestRank() {
        let d = PlanReportBuilder.summarize((1...100).map(Double.init))
        XCTAssertEqual(d?.p50, 50)
        XCTAssertEqual(d?.p95, 95)
        XCTAssertEqual(d?.max, 100)
        XCTAssertNil(PlanReportBuilder.summarize([]))
    }
}
