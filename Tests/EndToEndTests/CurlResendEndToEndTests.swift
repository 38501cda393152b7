import BCCSimulator
import Foundation
import XCTest

/// Issue 23 #8 with the real binaries: `httpClient: curl`, and the connection of a reboot call
/// dies after the API applied it, without a byte of answer. libcurl re-sends a request on its
/// own when a reused keep-alive connection dies so; the daemon journaled one attempt and the API
/// saw two calls. Judged from bcc-sim: one reboot call per journaled attempt, none rebooted twice.
final class CurlResendEndToEndTests: XCTestCase {
    func testACallWhoseConnectionDiesIsNeverSentAgainByLibcurl() throws {
        let h = try Harness(name: "curl-drop")
        try h.startSim(["--instances", "6", "--seed", "44", "--reboot-min", "2", "--reboot-max", "3"])
        let relay = try DroppingRelay(upstreamPort: h.simPort)
        defer { relay.stop() }
        try h.writeConfig(
            """
            httpClient: curl
            rateLimit: { requestsPerSecond: 10, burst: 5 }
            maxConcurrentRequests: 2
            pollInterval: 300ms
            requestTimeout: 3s

            """)
        // The daemon talks to the relay; the relay to bcc-sim.
        let config = try String(contentsOfFile: h.configPath, encoding: .utf8)
            .replacingOccurrences(of: "endpoint: http://127.0.0.1:\(h.simPort)", with: "endpoint: http://127.0.0.1:\(relay.port)")
        try config.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        // Batch 1 warms keep-alive connections with polls and answered calls; batch 2's answers die.
        let plan = try h.submit("drop.yaml", Harness.planYAML(ids, "batchSize: 3\npauseBetweenBatches: 2s\nmaxFailures: \"100%\""))
        XCTAssertTrue(h.waitFor(30) { (try? h.planStatus(plan))?.counts["rebooted"] ?? 0 >= 3 }, "batch 1 rebooted")
        relay.arm()
        XCTAssertTrue(["succeeded", "failed"].contains(try h.waitPlanEnd(plan, timeout: 60)), "the plan ended")
        XCTAssertGreaterThan(relay.dropped, 0, "answers were lost (else the test proves nothing)")

        let puts = try h.requests().filter { $0.call == "reboot" }
        let attempts = try GateEndToEndTests.sql(h, "SELECT instanceId FROM attempts")
        var sent: [String: Int] = [:]
        var journaled: [String: Int] = [:]
        for p in puts { sent[p.ids[0], default: 0] += 1 }
        for a in attempts { journaled[a, default: 0] += 1 }
        XCTAssertEqual(sent, journaled, "each call bcc-sim saw is one journaled attempt: nothing was re-sent behind the daemon's back")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map { "\($0.id): \($0.reboots)" }, [], "every instance rebooted exactly once")
    }
}
