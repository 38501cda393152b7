import Foundation
import XCTest

/// Both HTTP transports of SPEC §6 (`httpClient: nio | curl`) run a plan end to end, with 409s
/// and 500s on the way, judged from what bcc-sim saw.
final class TransportEndToEndTests: XCTestCase {
    func runPlan(httpClient: String?) throws {
        let h = try Harness(name: "transport-\(httpClient ?? "default")")
        try h.startSim([
            "--instances", "8", "--seed", "21", "--reboot-min", "0.2", "--reboot-max", "0.4",
            "--initially-starting", "0.25", "--starting-for", "1", "--error-rate", "0.05",
        ])
        try h.writeConfig(
            "pollInterval: 300ms\nretry: { maxAttempts: 6, baseDelay: 100ms, maxDelay: 500ms }\n"
                + (httpClient.map { "httpClient: \($0)\n" } ?? ""))
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("t.yaml", Harness.planYAML(ids, "batchSize: 4"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "succeeded")
        let log = try String(contentsOf: h.daemonLog, encoding: .utf8)
        XCTAssertTrue(log.contains("httpClient=\(httpClient ?? "nio")"), "the transport in use is logged at start")
        let accepted = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.flatMap(\.ids)
        XCTAssertEqual(accepted.sorted(), ids.sorted(), "each instance rebooted once")
        XCTAssertTrue(try h.requests().allSatisfy(\.signatureVerified), "every call signed correctly")
        XCTAssertEqual(try h.adminState().map(\.reboots), Array(repeating: 1, count: ids.count))
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }

    func testAPlanOverTheDefaultNIOTransport() throws { try runPlan(httpClient: nil) }

    func testAPlanOverTheCurlTransport() throws { try runPlan(httpClient: "curl") }

    func testAnUnknownTransportIsABadConfiguration() throws {
        let h = try Harness(name: "transport-bad")
        try h.startSim(["--instances", "1", "--seed", "1"])
        try h.writeConfig("httpClient: urllib\n")
        let check = try h.run("rebootd", ["--config", h.configPath, "--check"])
        XCTAssertEqual(check.status, 78)
        XCTAssertTrue(check.out.contains("httpClient") && check.out.contains("curl"), check.out)
    }
}
