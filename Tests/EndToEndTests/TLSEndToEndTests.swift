import BCCSimulator
import Foundation
import RebootTesting
import XCTest

/// The production path, https (SPEC §6, §8): bcc-sim serves TLS with a certificate from a CA
/// made at test time; rebootd trusts it through `caFile`. A server it does not trust pauses the
/// plans once, as an account-level error naming the endpoint; nothing is sent, nothing fails.
final class TLSEndToEndTests: XCTestCase {
    func testAPlanOverHTTPSWithTheCAFromCAFile() throws {
        let h = try Harness(name: "tls")
        let certs = try TestCertificates.make(in: h.dir)
        try h.startSim([
            "--instances", "6", "--seed", "31", "--reboot-min", "0.2", "--reboot-max", "0.4",
            "--tls-cert", certs.cert, "--tls-key", certs.key,
        ])
        XCTAssertEqual(h.simScheme, "https")
        try h.writeConfig("pollInterval: 300ms\ncaFile: \(certs.ca)\n")
        try h.startDaemon()
        let ids = SimulatorConfiguration.generateIds(count: 6, seed: 31)
        let plan = try h.submit("tls.yaml", Harness.planYAML(ids, "batchSize: 3"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "succeeded")
        let accepted = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.flatMap(\.ids)
        XCTAssertEqual(accepted.sorted(), ids.sorted(), "each instance rebooted once, over https")
        XCTAssertTrue(try h.requests().allSatisfy(\.signatureVerified))
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }

    func testAnUntrustedServerPausesThePlanOnceNamingTheEndpointAndNothingIsSent() throws {
        let h = try Harness(name: "tls-untrusted")
        let certs = try TestCertificates.make(in: h.dir)
        try h.startSim(["--instances", "4", "--seed", "33", "--tls-cert", certs.cert, "--tls-key", certs.key])
        try h.writeConfig("pollInterval: 300ms\n")  // no caFile: the test CA is not trusted
        try h.startDaemon()
        let ids = SimulatorConfiguration.generateIds(count: 4, seed: 33)
        let plan = try h.submit("tls.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertTrue(h.waitFor(15) { (try? h.planStatus(plan).state) == "paused" }, "paused as an account error")
        sleep(1)
        let status = try h.planStatus(plan)
        XCTAssertEqual(status.state, "paused")
        XCTAssertEqual(status.counts["failed"] ?? 0, 0, "no instance fails for the server's certificate")
        XCTAssertEqual(try h.requests().count, 0, "no request reached the server")
        let log = try String(contentsOf: h.daemonLog, encoding: .utf8)
        let lines = log.split(separator: "\n").filter { $0.contains("is not trusted") }
        XCTAssertFalse(lines.isEmpty, "one clear error; the log:\n\(log.suffix(2500))")
        XCTAssertTrue(lines.allSatisfy { $0.contains("https://127.0.0.1:\(h.simPort)") && $0.contains("caFile") }, "\(lines)")
        XCTAssertLessThanOrEqual(lines.count, 3, "once per pause, not once per instance: \(lines)")
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }
}
