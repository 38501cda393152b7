import Foundation
@testable import RebootCore
import RebootTesting
import XCTest

/// The status tick's plan counts come from one SQL count, and agree with the plans themselves.
final class PlanCountsTests: XCTestCase {
    func testCountsByStateMatchThePlans() throws {
        let harness = try SchedulerHarness(ids: SchedulerHarness.ids(6))
        XCTAssertEqual(try harness.journal.planCountsByState(), [:])
        let done = try harness.submit(SchedulerHarness.plan(Array(SchedulerHarness.ids(6).prefix(2))))
        XCTAssertTrue(harness.run(for: 60) { (try? harness.planState(done)) == "succeeded" })
        let cancelled = try harness.submit(SchedulerHarness.plan(Array(SchedulerHarness.ids(6).suffix(4))) { $0.pauseBetweenBatches = 3600 })
        _ = try harness.scheduler.control(planId: cancelled, verb: "cancel", requestedBy: FileOwner(uid: 0, name: "root"), requestedAt: Date())
        XCTAssertTrue(harness.run(for: 60) { (try? harness.planState(cancelled)) == "cancelled" })
        let expected = Dictionary(grouping: try harness.journal.plans(), by: \.state).mapValues(\.count)
        XCTAssertEqual(try harness.journal.planCountsByState(), expected)
        XCTAssertEqual(expected, ["succeeded": 1, "cancelled": 1])
    }
}
