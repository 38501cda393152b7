import Foundation
import XCTest

@testable import RebootCore

/// Rule 4.10 for plans that have not started, and rule 4.11's schedule, alone.
final class ControlAndDryRunRuleTests: XCTestCase {
    func testControlsOfAPlanThatHasNotStarted() {
        func decide(_ state: PlanState, batch: Int = -1, _ verb: String) -> ControlRule.NotStarted {
            ControlRule.notStarted(state: state, stateText: state.rawValue, currentBatch: batch, verb: verb)
        }
        XCTAssertEqual(decide(.queued, "cancel"), .cancel)
        XCTAssertEqual(decide(.queued, "pause"), .pause(announce: true))
        XCTAssertEqual(decide(.paused, "pause"), .pause(announce: false), "already paused: no second notification")
        XCTAssertEqual(decide(.paused, "resume"), .requeue)
        XCTAssertEqual(decide(.queued, "resume"), .ignored("ignored: plan is queued"))
        XCTAssertEqual(decide(.paused, batch: 2, "cancel"), .ignored("ignored: plan is paused"), "a started plan has a machine")
        XCTAssertEqual(decide(.succeeded, "cancel"), .ignored("ignored: plan is succeeded"))
        XCTAssertEqual(decide(.queued, "reboot"), .ignored("ignored: plan is queued"))
        XCTAssertEqual(ControlRule.answer(.cancel), "cancelled (it had not started)")
        XCTAssertEqual(ControlRule.reason(.pause(announce: true)), "paused before it started")
        XCTAssertNil(ControlRule.reason(.requeue))
        XCTAssertEqual(ControlRule.alreadyStopped(.halt), "ignored: the plan is already halted")
    }

    func testTheDryRunScheduleFollowsStartAfterTheWindowAndThePauses() throws {
        var plan = Plan(name: "d", instances: (1...7).map { "i-\($0)" }, batchSize: .fixed(.count(6)))
        plan.pauseBetweenBatches = 600
        let start = try XCTUnwrap(JournalTime.parse("2027-01-15T08:00:00Z"))
        plan.startAfter = start + 3600
        let lines = DryRun.schedule(plan, batches: plan.layout.batches, from: start)
        XCTAssertEqual(
            lines,
            [
                "batch 1/2 of 6 would start at 2027-01-15T09:00:00.000Z: i-1,i-2,i-3,i-4,i-5,…",
                "batch 2/2 of 1 would start at 2027-01-15T09:10:00.000Z: i-7",
            ])
    }
}
