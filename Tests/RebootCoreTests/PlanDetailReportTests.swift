import Foundation
import XCTest

@testable import RebootCore

/// `rebootctl status PLAN --json` (SPEC §7): one object with at least `id`, `name`, `ticket`,
/// `state`, `counts` and `instances`, each instance with `id`, `state`, `zone`, `attempts`,
/// `lastError` and `reason`: those keys are there even when null. The keys it had before stay.
final class PlanDetailReportTests: XCTestCase {
    func row(_ i: Int, _ id: String, _ state: String, lastError: String? = nil, lastStatus: String? = nil, plan: String = "p")
        -> PlanInstanceRecord
    {
        PlanInstanceRecord(
            planId: plan, idx: i, instanceId: id, batch: i / 2, state: state, attempts: state == "pending" ? 0 : 1, conflicts: 0,
            lastError: lastError, lastStatus: lastStatus, observedNonRunning: false, updatedAt: "t")
    }

    func report(ticket: String?) throws -> [String: Any] {
        let journal = try SQLiteJournal()
        let plan = try PlanParser().parse("instances: [i-a, i-b, i-c, i-d, i-e, i-f]\nbatchSize: 2\n", fileName: "p.yaml", format: .yaml)
        let record = PlanRecord(
            id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "s", submitterUid: 0, submitterName: "root",
            submittedAt: "t", state: "failed", parameters: String(decoding: try JSONEncoder().encode(plan), as: UTF8.self),
            instanceCount: 6, batchCount: 3, currentBatch: 2, updatedAt: "t", ticket: ticket)
        let rows = [
            row(0, "i-a", "rebooted", lastStatus: "Running"),
            row(1, "i-b", "failed", lastError: "in-doubt", lastStatus: "Running"),
            row(2, "i-c", "skipped", lastError: "Stopped", lastStatus: "Stopped"),
            row(3, "i-d", "skipped", lastError: "plan halted"),
            row(4, "i-e", "cancelled"),
            row(5, "i-f", "failed", lastStatus: "Error"),
        ]
        try journal.insertPlan(
            record, instances: rows, event: PlanEventRecord(id: nil, planId: "p", at: "t", kind: "submitted", detail: ""), intake: nil)
        let detail = try XCTUnwrap(try journal.detailReport(planId: "p"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try XCTUnwrap(JSONSerialization.jsonObject(with: encoder.encode(detail)) as? [String: Any])
    }

    func testTheContractsKeysAreThereEvenWhenNull() throws {
        let json = try report(ticket: nil)
        for key in ["id", "name", "ticket", "state", "counts", "instances"] { XCTAssertNotNil(json[key], key) }
        XCTAssertTrue(json["ticket"] is NSNull, "ticket: null when the plan has none")
        let instances = try XCTUnwrap(json["instances"] as? [[String: Any]])
        XCTAssertEqual(instances.count, 6)
        for i in instances {
            for key in ["id", "state", "zone", "attempts", "lastError", "reason"] { XCTAssertNotNil(i[key], "\(key) in \(i)") }
            XCTAssertTrue(i["zone"] is NSNull, "no zone is journaled yet")
        }
        XCTAssertTrue(instances[0]["lastError"] is NSNull)
        // The keys scripts parse today stay.
        for key in ["sourceFile", "sha256", "submittedAt", "submitter", "currentBatch", "batchCount"] { XCTAssertNotNil(json[key], key) }
        for key in ["batch", "conflicts", "lastStatus", "observedNonRunning"] { XCTAssertNotNil(instances[1][key], key) }
    }

    /// An instance's zone is the one the journal holds (learned when the plan started).
    func testTheZoneIsTheOneThePlanLearned() throws {
        let journal = try SQLiteJournal()
        var plan = try PlanParser().parse("instances: [i-a]\nbatchSize: 1\nzones: one-at-a-time\n", fileName: "z.yaml", format: .yaml)
        let record = PlanRecord(
            id: "z", name: "z", sourceFile: "z.yaml", format: "yaml", sha256: "s", submitterUid: 0, submitterName: "root",
            submittedAt: "t", state: "running", parameters: String(decoding: try JSONEncoder().encode(plan), as: UTF8.self),
            instanceCount: 1, batchCount: 1, currentBatch: -1, updatedAt: "t")
        try journal.insertPlan(
            record, instances: [row(0, "i-a", "pending", plan: "z")],
            event: PlanEventRecord(id: nil, planId: "z", at: "t", kind: "submitted", detail: ""),
            intake: nil)
        XCTAssertEqual(try journal.detailReport(planId: "z")?.instances.map(\.zone), [nil], "not known before the plan starts")
        plan.instances = ["i-a", "i-b", "i-c"]
        plan.instanceZones = ["cn-bj-a", "cn-bj-b", ""]
        try journal.resolvePlan(id: "z", plan: plan, at: Date(), detail: "3 instances")
        try journal.flush()
        XCTAssertEqual(try journal.instances(planId: "z").map(\.zone), ["cn-bj-a", "cn-bj-b", nil])
        XCTAssertEqual(try journal.detailReport(planId: "z")?.instances.map(\.zone), ["cn-bj-a", "cn-bj-b", nil])
    }

    func testTheTicketIsThere() throws {
        XCTAssertEqual(try report(ticket: "CHG-1")["ticket"] as? String, "CHG-1")
    }

    /// `reason`: why an instance ended as it did when it did not reboot; null otherwise.
    func testTheReasonIsWhyAnInstanceDidNotReboot() throws {
        let instances = try XCTUnwrap(try report(ticket: nil)["instances"] as? [[String: Any]])
        let reasons = instances.map { $0["reason"] as? String }
        XCTAssertEqual(reasons, [nil, "in-doubt", "Stopped", "plan halted", "plan cancelled", "Error"])
        XCTAssertTrue(instances[0]["reason"] is NSNull)
    }
}
