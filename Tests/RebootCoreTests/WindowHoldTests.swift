import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.1 (issue 26): outside `window` no reboot call is sent, not even inside a started
/// batch: first calls, 409 re-calls and in-doubt re-sends wait for the next opening, while
/// polling goes on.
final class WindowHoldTests: XCTestCase {
    /// The harness's clock starts at 2027-01-15T08:00:00Z. This window is open all day but
    /// 08:01-08:02 UTC.
    static let closedFrom: TimeInterval = 60
    static let reopensAt: TimeInterval = 120

    func testAWindowThatClosesInsideABatchStopsEveryCallUntilItOpensAgain() throws {
        let ids = (0..<80).map { String(format: "i-%03d", $0) }
        let h = try SchedulerHarness(
            ids: ids,
            settings: SchedulerSettings(requestsPerSecond: 2, burst: 1, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        // Refused with 409 when first called, Running again inside the closed hour: their
        // re-calls must wait for the opening too.
        for id in ids[20..<60] { h.cloud.busyAtCall[id] = (.starting, 70) }
        let start = h.clock.now()
        let plan = try h.submit(
            SchedulerHarness.plan(ids, batch: .fixed(.count(80))) { $0.window = MaintenanceWindow(start: 8 * 60 + 2, end: 8 * 60 + 1) })
        var sawWaiting = false
        var firedAtClose: Int?
        var firedAtOpening: Int?
        XCTAssertTrue(
            h.run(for: 900, step: 0.25) {
                if (try? h.planState(plan)) == "waiting-window" { sawWaiting = true }
                let t = h.clock.now().timeIntervalSince(start)
                if t >= Self.closedFrom && firedAtClose == nil { firedAtClose = h.clock.firedCount }
                if t >= Self.reopensAt && firedAtOpening == nil { firedAtOpening = h.clock.firedCount }
                return h.finished(plan)
            })
        // Ready instances that may not be called are no reason to wake: the timer fires for the
        // polls and the opening, not at every token (a busy loop).
        let wakes = try XCTUnwrap(firedAtOpening) - XCTUnwrap(firedAtClose)
        XCTAssertLessThan(wakes, 300, "timer wakes while the window was closed")
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let calls = h.cloud.rebootCalls.map { (t: $0.at.timeIntervalSince(start), id: $0.id) }
        XCTAssertTrue(calls.contains { $0.t < Self.closedFrom }, "calls went out before the window closed")
        let inside = calls.filter { $0.t >= Self.closedFrom && $0.t < Self.reopensAt }
        XCTAssertEqual(inside.map(\.id), [], "no reboot call while the window is closed")
        XCTAssertTrue(calls.contains { $0.t >= Self.reopensAt }, "the batch went on when it opened again")
        let recalled = Set(ids[20..<60]).filter { id in calls.filter { $0.id == id }.count == 2 }
        XCTAssertFalse(recalled.isEmpty, "some 409 re-calls were due while the window was closed")
        XCTAssertTrue(
            h.cloud.describeCalls.contains { $0.at.timeIntervalSince(start) >= Self.closedFrom && $0.at.timeIntervalSince(start) < Self.reopensAt },
            "polling went on while the window was closed")
        XCTAssertTrue(sawWaiting)
        let rows = try h.instances(plan)
        XCTAssertEqual(rows.values.filter { $0.state == "rebooted" }.count, 80, "every instance rebooted, none failed or skipped by the wait")
        for id in ids { XCTAssertEqual(calls.filter { $0.id == id }.count, id >= "i-020" && id < "i-060" && recalled.contains(id) ? 2 : 1, id) }
        let states = try h.journal.events(planId: plan).filter { $0.kind == "state" }.map(\.detail)
        XCTAssertTrue(
            states.contains("running -> waiting-window: outside window every day 08:02-08:01 UTC; next opening 2027-01-15T08:02:00Z"), "\(states)")
        XCTAssertTrue(states.contains("waiting-window -> running: the window is open"), "\(states)")
    }

    /// A 409 just before the close; Running while the window is closed; the closed time is longer
    /// than `conflictRetry.timeout`. The wait is the window's, not the instance's: its re-call
    /// goes out at the opening instead of failing it for a timeout.
    func testTheWaitForTheWindowDoesNotCountAgainstTheConflictTimeout() throws {
        let h = try SchedulerHarness(ids: ["i-x"])
        h.cloud.busyAtCall["i-x"] = (.starting, 20)
        let start = h.clock.now()
        let plan = try h.submit(
            SchedulerHarness.plan(["i-x"]) {
                $0.window = MaintenanceWindow(start: 8 * 60 + 2, end: 8 * 60 + 1)
                $0.conflictRetry = ConflictRetry(maxAttempts: 10, timeout: 30)
            })
        XCTAssertTrue(h.run(for: 5) { h.cloud.rebootCalls.count == 1 }, "the first call, refused with 409")
        h.clock.stepWall(by: 50)  // the window closes 5 s from now, for a minute
        // The re-call at the opening is refused too: the instance waits again, from a deadline
        // that the window's minute did not eat.
        h.cloud.busyAtCall["i-x"] = (.starting, 3)
        XCTAssertTrue(h.run(for: 300) { h.finished(plan) })
        let calls = h.cloud.rebootCalls.map { $0.at.timeIntervalSince(start) }
        XCTAssertEqual(calls.count, 3, "the 409, the re-call at the opening (409 again), the accepted one: \(calls)")
        XCTAssertGreaterThanOrEqual(calls.dropFirst().first ?? 0, 69, "the re-call waited for the opening (wall 08:02, 70 s in)")
        XCTAssertEqual(try h.instances(plan)["i-x"]?.state, "rebooted", "not failed by a timeout that the window's wait ran out")
        XCTAssertEqual(try h.planState(plan), "succeeded")
    }
}
