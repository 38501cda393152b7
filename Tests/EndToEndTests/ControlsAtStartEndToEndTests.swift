import BCCSimulator
import Foundation
import XCTest

/// Controls written while the daemon is down (SPEC §4.10, issue 23 #4 and #5), as an operator
/// does them: `systemctl stop; rebootctl cancel P; systemctl start`. They are applied before the
/// restarted daemon's first call of any kind, in the order they were written. Judged from what
/// bcc-sim saw after the restart.
final class ControlsAtStartEndToEndTests: XCTestCase {
    /// Starts a plan of 20 slow reboots at 2 calls a second (burst 5), waits for its first calls,
    /// and stops the daemon with SIGTERM. Returns the plan's id.
    private func planStoppedMidway(_ h: Harness, seed: Int) throws -> String {
        try h.startSim(["--instances", "20", "--seed", "\(seed)", "--reboot-min", "3", "--reboot-max", "4"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 2, burst: 5 }\npollInterval: 500ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("controls.yaml", Harness.planYAML(ids, "batchSize: 20"))
        XCTAssertTrue(h.waitFor(30) { Self.rebootCalls(h, since: 0).count >= 2 }, "reboot calls started")
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(20), 0, "a clean stop")
        return plan
    }

    private static func rebootCalls(_ h: Harness, since: TimeInterval) -> [RequestLog.Entry] {
        ((try? h.requests()) ?? []).filter { ($0.call == "reboot" || $0.call == "batchReboot") && $0.start >= since }
    }

    /// Failed on the old start order: the scheduler dispatched a burst of reboot calls (5 here)
    /// before the spool's first scan applied the cancel.
    func testACancelWrittenWhileDownStopsThePlanBeforeAnyCall() throws {
        let h = try Harness(name: "cancel-down")
        let plan = try planStoppedMidway(h, seed: 31)
        let before = Set(Self.rebootCalls(h, since: 0).flatMap(\.ids))
        XCTAssertLessThan(before.count, 20, "the plan was stopped midway (else the test proves nothing)")
        let cancel = try h.ctl(["cancel", plan])
        XCTAssertEqual(cancel.status, 0, cancel.out)

        let restarted = Date().timeIntervalSince1970
        try h.startDaemon()
        try h.requireDaemonUp()
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "cancelled")
        let late = Self.rebootCalls(h, since: restarted)
        XCTAssertEqual(
            late.map { "\($0.ids) at +\(String(format: "%.2f", $0.start - restarted)) s" }, [],
            "no reboot call after the restart: the cancel was applied first")
        let status = try h.planStatus(plan)
        XCTAssertEqual(
            status.instances.filter { !before.contains($0.id) && $0.state != "cancelled" }.map { "\($0.id): \($0.state)" }, [],
            "every instance never called is cancelled")
    }

    /// Failed on name order: `P.pause` sorts before `P.resume`, so a resume written before the
    /// pause was applied last and the plan ran on.
    func testResumeThenPauseWrittenWhileDownLeavesThePlanPaused() throws {
        let h = try Harness(name: "order-down")
        let plan = try planStoppedMidway(h, seed: 32)
        XCTAssertEqual(try h.ctl(["resume", plan]).status, 0)
        usleep(20_000)  // a later modification time, whatever the file system's granularity
        XCTAssertEqual(try h.ctl(["pause", plan]).status, 0)

        let restarted = Date().timeIntervalSince1970
        try h.startDaemon()
        try h.requireDaemonUp()
        XCTAssertTrue(h.waitFor(10) { (try? h.plans())?.first { $0.id == plan }?.state == "paused" }, "the plan is paused")
        // At 2 calls a second with a burst of 5, a running plan calls within half a second.
        usleep(2_000_000)
        XCTAssertEqual(Self.rebootCalls(h, since: restarted).count, 0, "the operator's last word (pause) holds")
        XCTAssertEqual(try h.plans().first { $0.id == plan }?.state, "paused")
    }
}
