import BCCSimulator
import Foundation
import XCTest

/// Issue 23 #7 with the real binaries: a listing that never ends (bcc-sim's `endless` fault:
/// every describe-many page is truncated, with a new marker). The daemon before issue 23
/// followed the markers with no cap and no token per page: 1,763 calls a second against a
/// limit of 25, and the poll never returned. Now every page takes a rate-limiter token, a
/// listing longer than 200 pages is a failed poll, logged once, and the plan goes on after.
final class ListingEndToEndTests: XCTestCase {
    func testAnEndlessListingKeepsTheRateLimitAndThePlanGoesOnAfterIt() throws {
        let h = try Harness(name: "endless")
        try h.startSim(["--instances", "6", "--seed", "45", "--reboot-min", "1", "--reboot-max", "2"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 60, burst: 10 }\npollInterval: 300ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("endless.yaml", Harness.planYAML(ids, "batchSize: 3\nmaxFailures: \"100%\""))
        XCTAssertTrue(h.waitFor(20) { ((try? h.requests()) ?? []).contains { $0.call == "reboot" && $0.status == 200 } }, "batch 1 called")
        let faultStart = Date().timeIntervalSince1970
        try h.setFault(#"{"call": "describeMany", "kind": "endless", "for": 8}"#)
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "succeeded", "the plan goes on once the listing ends")

        let log = try h.requests()
        let pages = log.filter { $0.call == "describeMany" && $0.start >= faultStart && $0.start < faultStart + 8 }
        XCTAssertGreaterThan(pages.count, 200, "the listing ran past the cap (else the test proves nothing)")
        // No one-second interval holds more than requestsPerSecond + burst calls (SPEC §4.2).
        let starts = log.map(\.start).sorted()
        var most = 0
        var head = 0
        for (i, t) in starts.enumerated() {
            while t - starts[head] >= 1 { head += 1 }
            most = max(most, i - head + 1)
        }
        XCTAssertLessThanOrEqual(most, 70, "every page took a token: at most 60 + 10 calls in any second")
        let said = try String(contentsOf: h.daemonLog, encoding: .utf8).components(separatedBy: "\n").filter { $0.contains("more than 200 pages") }
        XCTAssertEqual(said.count, 1, "the endless listing is logged once: \(said)")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map(\.id), [], "every instance rebooted once")
    }
}
