import BCCSimulator
import Foundation
import XCTest

/// Health gates (SPEC §4.14) with the real binaries: a real Prometheus alert that blocks batch 2
/// until it resolves, an HTTP gate that never clears, a command gate's exit code and output in
/// the journal, and a gate name the config does not define.
final class GateEndToEndTests: XCTestCase {
    /// Rows of one column from the journal, read with the sqlite3 CLI (as an operator would).
    static func sql(_ h: Harness, _ query: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = ["-readonly", h.dir.appendingPathComponent("journal.sqlite").path, query]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testAPrometheusAlertBlocksBatchTwoUntilItResolves() throws {
        try RequiredTool.require(PrometheusFixture.binary, "prometheus")
        let h = try Harness(name: "gate-prom")
        let web = WebFixture()
        try web.start()
        defer { web.stop() }
        let prometheus = PrometheusFixture(dir: h.dir)
        try prometheus.start(scraping: "127.0.0.1:\(web.port)")
        defer { prometheus.stop() }
        XCTAssertTrue(h.waitFor(15) { prometheus.seriesCount("demo_unhealthy") == 1 }, "prometheus scrapes the fixture")

        try h.startSim(["--instances", "4", "--seed", "11", "--reboot-min", "0.5", "--reboot-max", "1"])
        try h.writeConfig(
            """
            pollInterval: 300ms
            gates:
              no-alerts:
                prometheus: \(prometheus.base)
                query: 'ALERTS{alertstate="firing"}'
                timeout: 3s
            gateInterval: 2s
            gateTimeout: 5m
            """)
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("gated.yaml", Harness.planYAML(ids, "batchSize: 2\npauseBetweenBatches: 6s\nhealthGates: [no-alerts]"))
        XCTAssertTrue(h.waitFor(15) { ((try? h.requests()) ?? []).filter { $0.call == "reboot" }.count >= 2 }, "batch 1 passes the gate")
        web.metric = 1
        XCTAssertTrue(h.waitFor(20) { prometheus.seriesCount(#"ALERTS{alertstate="firing"}"#) == 1 }, "the alert fires")

        XCTAssertTrue(h.waitFor(20) { (try? h.plans())?.first { $0.id == plan }?.state == "waiting-gate" }, "batch 2 waits for the gate")
        let status = try h.ctl(["status", plan]).out
        XCTAssertTrue(status.contains("waiting for gate no-alerts: 1 series: ALERTS{alertname=DemoUnhealthy"), status)
        XCTAssertTrue(try h.ctl(["status"]).out.contains("waiting for gate no-alerts"), "the plan list says why too")
        sleep(4)
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, 2, "no reboot of batch 2 while the alert fires")

        web.metric = 0
        var resolved = Date.distantFuture
        XCTAssertTrue(
            h.waitFor(20) {
                guard prometheus.seriesCount(#"ALERTS{alertstate="firing"}"#) == 0 else { return false }
                resolved = Date()
                return true
            })
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "succeeded")
        let reboots = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.sorted { $0.start < $1.start }
        XCTAssertEqual(reboots.count, 4, "each instance once")
        XCTAssertTrue(try h.adminState().allSatisfy { $0.reboots == 1 })
        let batch2 = try XCTUnwrap(reboots.dropFirst(2).first?.start)
        XCTAssertLessThanOrEqual(
            batch2 - resolved.timeIntervalSince1970, 2 + 1, "batch 2 starts within one gateInterval (2 s) of the alert resolving")

        let checks = try Self.sql(h, "SELECT detail FROM plan_events WHERE kind = 'gate-check' ORDER BY id")
        XCTAssertTrue(checks.contains { $0.hasPrefix("gate no-alerts before batch 1/2: passed: no series") }, "\(checks)")
        XCTAssertTrue(checks.contains { $0.hasPrefix("gate no-alerts before batch 2/2: blocked: 1 series:") }, "\(checks)")
        let metrics = try String(contentsOf: h.dir.appendingPathComponent("rebootd.prom"), encoding: .utf8)
        XCTAssertTrue(metrics.contains(#"rebootd_gate_checks_total{gate="no-alerts",result="blocked"}"#), metrics)
        XCTAssertTrue(metrics.contains("rebootd_gates_blocked"), metrics)
    }

    func testAGateThatNeverClearsHaltsThePlanAtGateTimeout() throws {
        let h = try Harness(name: "gate-timeout")
        let web = WebFixture()
        try web.start()
        defer { web.stop() }
        web.health = 503
        try h.startSim(["--instances", "3", "--seed", "12", "--reboot-min", "0.2", "--reboot-max", "0.4"])
        try h.writeConfig(
            """
            pollInterval: 300ms
            gates:
              web-healthy: { http: \(web.base)/health, timeout: 2s }
              malformed: { prometheus: \(web.base)/malformed, query: up }
              hanging: { prometheus: \(web.base)/hanging, query: up, timeout: 1s }
            gateInterval: 1s
            gateTimeout: 4s
            """)
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let started = Date()
        let plan = try h.submit("never.yaml", Harness.planYAML(ids, "batchSize: 1\nhealthGates: [web-healthy]"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "failed")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 4, "not before gateTimeout")
        let detail = try h.planStatus(plan)
        XCTAssertEqual(Set(detail.instances.map(\.state)), ["skipped"])
        XCTAssertTrue(try h.requests().filter { $0.call == "reboot" }.isEmpty, "a halted plan reboots nothing")
        XCTAssertTrue(try h.ctl(["status", plan]).out.contains("reason: gate web-healthy: HTTP 503"))

        // Error shapes the real Prometheus won't make: a malformed answer and no answer.
        let shapes = try h.submit("shapes.yaml", Harness.planYAML(ids, "batchSize: 1\nhealthGates: [malformed, hanging]"))
        XCTAssertEqual(try h.waitPlanEnd(shapes, timeout: 30), "failed")
        let checks = try Self.sql(h, "SELECT detail FROM plan_events WHERE planId = '\(shapes)' AND kind = 'gate-check'")
        XCTAssertTrue(checks.contains { $0.contains("gate malformed before batch 1/3: blocked: malformed answer") }, "\(checks)")
        XCTAssertTrue(checks.contains { $0.contains("gate hanging before batch 1/3: blocked: timeout after 1s") }, "\(checks)")
        XCTAssertTrue(try h.requests().filter { $0.call == "reboot" }.isEmpty)
    }

    func testACommandGatesExitCodeAndOutputAreJournaled() throws {
        let h = try Harness(name: "gate-command")
        let script = h.dir.appendingPathComponent("check-quorum")
        try "#!/bin/sh\necho \"quorum 2/3 for batch $REBOOTD_BATCH\"\necho 'db-2 unreachable' >&2\nexit 1\n".write(
            to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        try h.startSim(["--instances", "2", "--seed", "13"])
        try h.writeConfig(
            """
            gates:
              web-quorum: { command: [\(script.path), --cluster, web], timeout: 5s }
            gateInterval: 1s
            gateTimeout: 2s
            """)
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("quorum.yaml", Harness.planYAML(ids, "batchSize: 2\nhealthGates: [web-quorum]"))
        XCTAssertTrue(
            h.waitFor(10) { (try? h.ctl(["status", plan]).out.contains("waiting for gate web-quorum: exit 1: quorum 2/3 for batch 1")) == true },
            "status shows the gate and its result")
        let watched = try h.ctl(["watch", plan, "--interval", "200ms"])
        XCTAssertEqual(watched.status, 1, "watch ends with the plan, which failed")
        XCTAssertTrue(watched.out.contains("waiting for gate web-quorum: exit 1: quorum 2/3"), watched.out)
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 20), "failed")
        let checks = try Self.sql(h, "SELECT replace(detail, char(10), '|') FROM plan_events WHERE kind = 'gate-check'")
        XCTAssertGreaterThanOrEqual(checks.count, 2, "checked again every gateInterval")
        XCTAssertEqual(
            checks.first,
            "gate web-quorum before batch 1/1: blocked: exit 1: quorum 2/3 for batch 1|output: quorum 2/3 for batch 1\\ndb-2 unreachable\\n")
        let reason = try Self.sql(h, "SELECT reason FROM plans WHERE id = '\(plan)'")
        XCTAssertEqual(reason, ["gate web-quorum: exit 1: quorum 2/3 for batch 1"])
        XCTAssertTrue(try h.requests().filter { $0.call == "reboot" }.isEmpty)
    }

    func testAGateTheConfigDoesNotDefineIsRejectedByValidateAndTheDaemon() throws {
        let h = try Harness(name: "gate-unknown")
        try h.startSim(["--instances", "1"])
        try h.writeConfig("gates:\n  web-quorum: { command: [/bin/true] }\n")
        let ids = try h.adminState().map(\.id)
        let file = h.dir.appendingPathComponent("typo.yaml")
        try Harness.planYAML(ids, "batchSize: 1\nhealthGates: [web-qourum]").write(to: file, atomically: true, encoding: .utf8)
        let verdict = try h.ctl(["validate", file.path])
        XCTAssertEqual(verdict.status, 65)
        XCTAssertTrue(
            verdict.out.contains("healthGates[0]") && verdict.out.contains("unknown gate \"web-qourum\"; gates in the config: web-quorum"),
            verdict.out)

        try h.startDaemon()
        try h.drop("typo.yaml", Harness.planYAML(ids, "batchSize: 1\nhealthGates: [web-qourum]"))
        let rejected = h.spool.appendingPathComponent("rejected")
        XCTAssertTrue(
            h.waitFor(10) {
                ((try? FileManager.default.contentsOfDirectory(atPath: rejected.path)) ?? []).contains {
                    $0.hasPrefix("typo") && $0.hasSuffix(".error")
                }
            })
        let reasonFile = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: rejected.path).first { $0.hasSuffix(".error") })
        let reason = try String(contentsOf: rejected.appendingPathComponent(reasonFile), encoding: .utf8)
        XCTAssertTrue(reason.contains("unknown gate \"web-qourum\""), reason)
        XCTAssertTrue(try h.plans().isEmpty)
    }
}
