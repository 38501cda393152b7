import Foundation
import XCTest

@testable import RebootCore

/// What a plan learned when it started (SPEC §2, issue 26).
extension JournalStoreConformanceTests {
    func checkAResolvedPlanReplacesItsRowsAndKeepsItsZones() throws {
        try addPlan("a", ids: ["i-a"])
        try addPlan("b", ids: ["i-z"])
        var plan = try parsedPlan("p-a", ids: ["i-a"])
        plan.select = PlanSelection(tags: ["env:prod"])
        plan.zones = .oneAtATime
        plan.instances = ["i-c", "i-a", "i-b"]
        plan.instanceZones = ["z1", "z2", ""]
        try store.resolvePlan(id: "a", plan: plan, at: time(5), detail: "select matched 3")
        XCTAssertEqual(try store.instances(planId: "a").map(\.instanceId), ["i-a"], "queued until the commit")
        try store.flush()
        let rows = try store.instances(planId: "a")
        XCTAssertEqual(rows.map(\.instanceId), ["i-c", "i-a", "i-b"])
        XCTAssertEqual(rows.map(\.batch), [0, 1, 2], "batches cut at each zone")
        XCTAssertEqual(rows.map(\.state), ["pending", "pending", "pending"])
        XCTAssertEqual(try store.instanceZones(planId: "a"), ["i-c": "z1", "i-a": "z2"], "an unknown zone is not journaled")
        XCTAssertEqual(try [0, 1, 2, 3].map { try store.batchZone(planId: "a", batch: $0) }, ["z1", "z2", nil, nil])
        XCTAssertEqual(try store.decodedPlan(id: "a"), plan, "the parameters are the resolved plan")
        let head = try XCTUnwrap(try store.plan(id: "a"))
        XCTAssertEqual(head.instanceCount, 3)
        XCTAssertEqual(head.batchCount, 3)
        XCTAssertEqual(try store.events(planId: "a").last.map { "\($0.kind): \($0.detail)" }, "selected: select matched 3")
        XCTAssertEqual(try store.instances(planId: "b").map(\.instanceId), ["i-z"], "another plan is untouched")
        XCTAssertEqual(try store.instanceZones(planId: "b"), [:])
    }
}
