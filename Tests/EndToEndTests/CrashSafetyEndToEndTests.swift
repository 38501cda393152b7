import BCCSimulator
import Foundation
import XCTest

/// SPEC §4.8–4.9: kill -9 mid-plan, three times, and SIGTERM with a restart.
final class CrashSafetyEndToEndTests: XCTestCase {
    func testKill9ThreeTimesNeitherDoublesNorMissesAReboot() throws {
        let h = try Harness(name: "kill9")
        try h.startSim(["--instances", "40", "--seed", "11", "--reboot-min", "2", "--reboot-max", "3"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 15, burst: 3 }\npollInterval: 400ms\nminRebootTime: 2s\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("crash.yaml", Harness.planYAML(ids, "batchSize: 8"))
        for round in 1...3 {
            // Let some reboots start, then kill without warning, mid-batch.
            let target = round * 8
            XCTAssertTrue(h.waitFor(60) { ((try? h.requests()) ?? []).filter { $0.call == "reboot" }.count >= target - 4 })
            h.signalDaemon(SIGKILL)
            _ = h.waitDaemonExit(5)
            try h.startDaemon()
        }
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 120), "succeeded")
        let state = try h.adminState()
        XCTAssertEqual(state.filter { $0.reboots > 1 }.map(\.id), [], "no instance rebooted twice")
        XCTAssertEqual(state.filter { $0.reboots == 0 }.map(\.id), [], "no instance missed")
    }

    func testSIGTERMExitsZeroWithinGraceAndTheRestartCompletesThePlan() throws {
        let h = try Harness(name: "sigterm")
        try h.startSim(["--instances", "20", "--seed", "12", "--reboot-min", "1", "--reboot-max", "2", "--latency-ms", "300"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 10, burst: 2 }\npollInterval: 400ms\nshutdownGrace: 2s\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("term.yaml", Harness.planYAML(ids, "batchSize: 5"))
        XCTAssertTrue(h.waitFor(30) { ((try? h.requests()) ?? []).filter { $0.call == "reboot" }.count >= 7 })
        let sent = Date()
        h.signalDaemon(SIGTERM)
        let status = h.waitDaemonExit(4)
        XCTAssertEqual(status, 0, "exit 0")
        XCTAssertLessThan(Date().timeIntervalSince(sent), 3.5, "within shutdownGrace (2 s) and a margin")
        let callsAtStop = try h.requests().filter { $0.call == "reboot" }.count
        XCTAssertLessThan(callsAtStop, 20, "stopped mid-plan")
        try h.startDaemon()
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "succeeded")
        XCTAssertTrue(try h.adminState().allSatisfy { $0.reboots == 1 })
    }
}
