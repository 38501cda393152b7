import Foundation
import XCTest

@testable import RebootCore

/// The plan's `ticket` (SPEC §2, §5): journaled with the plan, read back by every read of a
/// plan and by what `rebootctl status` and `report` build on them.
extension JournalStoreConformanceTests {
    func checkATicketRoundTripsThroughEveryRead() throws {
        let ticket = #"CHG-20261128-042 "kernel" — 变更 \ fix"#
        var plan = try parsedPlan("p-t", ids: ["i-a", "i-b", "i-c"])
        plan.ticket = ticket
        var record = try planRecord("t", state: "running")
        record.ticket = ticket
        record.parameters = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        try store.insertPlan(record, instances: instanceRecords("t"), event: submitted("t"), intake: nil)
        let untagged = try addPlan("u", state: "running")

        XCTAssertEqual(try store.plan(id: "t"), record)
        XCTAssertEqual(try store.plan(id: "t")?.ticket, ticket)
        XCTAssertEqual(try store.plans().map(\.ticket), [ticket, nil])
        XCTAssertEqual(try store.planHead(id: "t")?.ticket, ticket, "a head keeps the ticket")
        XCTAssertEqual(try store.activePlans().map(\.ticket), [ticket, nil])
        XCTAssertEqual(try store.activePlanHeads().map(\.ticket), [ticket, nil])
        XCTAssertEqual(try store.decodedPlan(id: "t")?.ticket, ticket, "and the parameters hold it")
        XCTAssertNil(try store.plan(id: "u")?.ticket)
        XCTAssertEqual(try store.plan(id: "u"), untagged)

        XCTAssertEqual(try store.summaryReports().map(\.ticket), [ticket, nil])
        XCTAssertEqual(try store.summaryReport(planId: "t")?.ticket, ticket)
        XCTAssertEqual(try store.detailReport(planId: "t")?.ticket, ticket)
        XCTAssertNil(try store.detailReport(planId: "u")?.ticket)
        XCTAssertEqual(try store.planReport(planId: "t", now: time(9))?.plan.ticket, ticket)
        XCTAssertNil(try store.planReport(planId: "u", now: time(9))?.plan.ticket)
    }
}
