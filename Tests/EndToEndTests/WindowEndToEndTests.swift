import BCCSimulator
import Foundation
import XCTest

/// SPEC §4.1 (issue 26): outside `window` no reboot call is sent, not even inside a started
/// batch. Judged from bcc-sim's log, with the daemon's wall clock stepped by libfaketime.
final class WindowEndToEndTests: XCTestCase {
    func testAWindowClosingMidBatchStopsCallsWithinASecondAndThePlanFinishesInTheNextWindow() throws {
        let h = try Harness(name: "window")
        let clock = try FakeWallClock(h)
        // Reboots of 6-8 s: instances called just before the close are still polled after it.
        try h.startSim(["--instances", "24", "--seed", "26", "--reboot-min", "6", "--reboot-max", "8"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 3, burst: 1 }\npollInterval: 500ms\n")
        try h.startDaemon(environment: clock.environment(config: h.configPath), arguments: [])
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        // Closed one minute a day, [close, close + 60 s) UTC: open all day but that minute.
        let close = (floor(Date().timeIntervalSince1970 / 60) + 2) * 60
        func hhmm(_ t: TimeInterval) -> String {
            let s = Int(t) % 86_400
            return String(format: "\"%02d:%02d\"", s / 3600, s % 3600 / 60)
        }
        let plan = try h.submit(
            "window.yaml", Harness.planYAML(ids, "batchSize: 24\nwindow: { start: \(hhmm(close + 60)), end: \(hhmm(close)) }\n"))
        XCTAssertTrue(h.waitFor(30) { calls(h).count >= 3 }, "the batch started inside the window")

        // The daemon's clock to 3 s before the close; 3 s after it, to 2 s before the opening.
        let toClose = Int((close - 3 - Date().timeIntervalSince1970).rounded())
        try clock.step(String(format: "%+d", toClose))
        let realClose = close - TimeInterval(toClose)
        XCTAssertTrue(h.waitFor(10) { Date().timeIntervalSince1970 > realClose + 3 })
        let status = try h.planStatus(plan)
        XCTAssertEqual(status.state, "waiting-window", "the plan says why it stopped calling")
        let text = try h.ctl(["status"]).out
        XCTAssertNotNil(
            text.range(of: #"next opening \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, options: .regularExpression),
            "status shows the next opening in full:\n\(text)")
        let toOpening = Int((close + 58 - Date().timeIntervalSince1970).rounded())
        try clock.step(String(format: "%+d", toOpening))
        let realOpening = close + 60 - TimeInterval(toOpening)

        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 90), "succeeded", "the plan finishes in the next window")
        let log = try h.requests()
        let reboots = log.filter { $0.call == "reboot" }
        XCTAssertTrue(reboots.contains { $0.start < realClose }, "calls before the close")
        XCTAssertEqual(
            reboots.filter { $0.start >= realClose + 1 && $0.start < realOpening }.flatMap(\.ids), [],
            "no reboot call later than a second after the window closed, until it opened")
        XCTAssertTrue(
            log.contains { $0.call != "reboot" && $0.start >= realClose + 1 && $0.start < realOpening }, "polling went on while closed")
        let after = try XCTUnwrap(reboots.first { $0.start >= realOpening }, "calls after the opening")
        XCTAssertLessThan(after.start - realOpening, 5, "calls again within 5 s of the opening")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map { "\($0.id): \($0.reboots)" }, [], "every instance rebooted exactly once")
    }

    private func calls(_ h: Harness) -> [RequestLog.Entry] { ((try? h.requests()) ?? []).filter { $0.call == "reboot" } }
}
