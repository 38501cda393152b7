import Foundation
import XCTest

@testable import RebootCore

/// What `rebootctl status`, `report` and `history` read, built on the store's reads.
extension JournalStoreConformanceTests {
    func checkStatusSummaryAndDetailReadTheStore() throws {
        try addPlan("a", state: "running")
        try addPlan("b", state: "succeeded", ids: ["i-x"])
        var rebooted = instanceRecords("a")[0]
        rebooted.state = "rebooted"
        rebooted.attempts = 1
        store.save(instance: rebooted)
        store.updatePlan(id: "a", state: "running", currentBatch: 0, at: time(5), finished: false, reason: nil)
        try store.flush()
        let summaries = try store.summaryReports()
        XCTAssertEqual(summaries.map(\.id), ["a", "b"])
        XCTAssertEqual(summaries[0].currentBatch, 1, "1-based")
        XCTAssertEqual(summaries[0].counts["rebooted"], 1)
        XCTAssertEqual(summaries[0].counts["pending"], 2)
        XCTAssertEqual(summaries[0].counts["failed"], 0, "every state, zeros included")
        XCTAssertEqual(summaries[1].counts["pending"], 1)
        let detail = try XCTUnwrap(try store.detailReport(planId: "a"))
        XCTAssertEqual(detail.instances.map(\.state), ["rebooted", "pending", "pending"])
        XCTAssertEqual(detail.instances.map(\.attempts), [1, 0, 0])
        XCTAssertEqual(detail.submitter.name, "ops")
        XCTAssertNil(try store.detailReport(planId: "nope"))
    }

    func checkPlanReportReadsAttemptsEventsAndControls() throws {
        try addPlan("a", state: "running")
        let ids = try store.beginAttempts([attempt("a", "i-a", number: 1)])
        finish(ids[0], "accepted")
        store.addControl(control("a", "pause", at: 3))
        store.addEvent(planId: "a", at: time(4), kind: "batch-done", detail: "batch 1 of 2")
        store.updatePlan(id: "a", state: "succeeded", currentBatch: 1, at: time(6), finished: true, reason: nil)
        try store.flush()
        let report = try XCTUnwrap(try store.planReport(planId: "a", now: time(7)))
        XCTAssertEqual(report.plan.id, "a")
        XCTAssertEqual(report.plan.state, "succeeded")
        XCTAssertEqual(report.plan.finishedAt, text(6))
        XCTAssertEqual(report.instances.map(\.id), ["i-a", "i-b", "i-c"])
        XCTAssertEqual(report.instances[0].firstCallAt, text(1))
        XCTAssertNil(report.instances[1].firstCallAt)
        XCTAssertNil(try store.planReport(planId: "nope", now: time(7)))
    }

    /// `rebootctl history`: every attempt on an instance, with its outcome.
    func checkHistoryReadsAnInstancesAttemptsWithOutcomes() throws {
        try addPlan("a")
        let ids = try store.beginAttempts([attempt("a", "i-b", number: 1)])
        finish(ids[0], "transient", status: 503)
        let again = try store.beginAttempts([attempt("a", "i-b", number: 2, sentAt: 3)])
        try store.flush()
        XCTAssertEqual(try store.attempts(instanceId: "i-b").map { [$0.sentAt, $0.outcome] }, [[text(1), "transient"], [text(3), nil]])
        XCTAssertEqual(try store.attempts(instanceId: "i-b").map(\.id), [ids[0], again[0]])
    }
}
