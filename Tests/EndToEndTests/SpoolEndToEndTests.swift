import BCCSimulator
import Foundation
import XCTest

/// The spool and the operator surface: bad plans, duplicates, controls, secrets, bad config.
final class SpoolEndToEndTests: XCTestCase {
    func testBadPlansAreRejectedWithErrorsAndTheDaemonKeepsServing() throws {
        let h = try Harness(name: "spool")
        try h.startSim(["--instances", "4", "--seed", "2", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        try h.drop("typo.yaml", Harness.planYAML(ids, "batchSzie: 2"))
        try h.drop("broken.json", "{\"instances\": [\"i-a1\"], \"batchSize\": 1,}")
        try h.drop("notes.txt", "hello")
        let link = h.spool.appendingPathComponent("incoming/link.yaml")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/hostname")
        try h.drop(".hidden.yaml", "ignored")
        let rejected = h.spool.appendingPathComponent("rejected")
        XCTAssertTrue(h.waitFor(5) { ((try? FileManager.default.contentsOfDirectory(atPath: rejected.path)) ?? []).count == 8 })
        let typo = try String(contentsOf: rejected.appendingPathComponent("typo.yaml.error"), encoding: .utf8)
        XCTAssertTrue(typo.contains("batchSzie"), typo)
        XCTAssertTrue(typo.contains("batchSize"), "names what to fix")
        XCTAssertTrue(try String(contentsOf: rejected.appendingPathComponent("broken.json.error"), encoding: .utf8).contains("line 1"))
        XCTAssertTrue(try String(contentsOf: rejected.appendingPathComponent("link.yaml.error"), encoding: .utf8).contains("symbolic link"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.spool.appendingPathComponent("incoming/.hidden.yaml").path), "dotfiles are never read")

        // Still serving: a good plan runs; the same content while active is refused.
        let text = Harness.planYAML(ids, "batchSize: 2\npauseBetweenBatches: 2s")
        let plan = try h.submit("good.yaml", text)
        try h.drop("again.yaml", text)
        XCTAssertTrue(h.waitFor(5) { FileManager.default.fileExists(atPath: rejected.appendingPathComponent("again.yaml.error").path) })
        XCTAssertTrue(try String(contentsOf: rejected.appendingPathComponent("again.yaml.error"), encoding: .utf8).contains("already active"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "succeeded")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.spool.appendingPathComponent("accepted/\(plan).yaml").path))
        XCTAssertEqual(try h.ctl(["validate", h.dir.appendingPathComponent("good.yaml").path]).status, 0)
    }

    func testControlsAndSecretsNeverLeak() throws {
        let h = try Harness(name: "controls")
        try h.startSim(["--instances", "12", "--seed", "4", "--reboot-min", "0.5", "--reboot-max", "0.8"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("steer.yaml", Harness.planYAML(ids, "batchSize: 2\npauseBetweenBatches: 1s"))
        XCTAssertTrue(h.waitFor(10) { ((try? h.requests()) ?? []).contains { $0.call == "reboot" } })
        XCTAssertEqual(try h.ctl(["pause", plan]).status, 0)
        XCTAssertTrue(h.waitFor(3) { (try? h.plans())?.first?.state == "paused" })
        let frozen = try h.requests().filter { $0.call == "reboot" }.count
        sleep(3)
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, frozen, "no reboot call while paused")
        XCTAssertEqual(try h.ctl(["resume", plan]).status, 0)
        XCTAssertTrue(h.waitFor(10) { ((try? h.requests()) ?? []).filter { $0.call == "reboot" }.count > frozen })
        XCTAssertEqual(try h.ctl(["cancel", plan]).status, 0)
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 20), "cancelled")
        let status = try h.planStatus(plan)
        XCTAssertGreaterThan(status.counts["cancelled"] ?? 0, 0)
        let called = try h.requests().filter { $0.call == "reboot" }.count
        sleep(1)
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, called, "no call after cancel")

        let history = try h.ctl(["history", ids[0], "--json"])
        XCTAssertTrue(history.out.contains("\"outcome\" : \"accepted\""), history.out)
        // Human output fits an 80-column terminal.
        for output in [
            try h.ctl(["status", plan]).out, try h.ctl(["status"]).out, try h.ctl(["watch", plan]).out,
            try h.ctl(["history", ids[0]]).out,
        ] {
            XCTAssertFalse(output.isEmpty)
            for line in output.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 80, String(line)) }
        }

        // Secrets: nowhere in logs, rebootctl output, the journal or the metrics.
        h.signalDaemon(SIGTERM)
        _ = h.waitDaemonExit(5)
        var haystacks = [
            try Data(contentsOf: h.daemonLog), Data(h.outputs.joined().utf8),
            try Data(contentsOf: h.dir.appendingPathComponent("rebootd.prom")),
        ]
        for file in try FileManager.default.contentsOfDirectory(atPath: h.dir.path) where file.hasPrefix("journal.sqlite") {
            haystacks.append(try Data(contentsOf: h.dir.appendingPathComponent(file)))
        }
        for data in haystacks {
            XCTAssertNil(data.range(of: Data(Harness.secret.utf8)), "the secret key leaked")
            XCTAssertNil(data.range(of: Data("bce-auth-v1/".utf8)), "an Authorization header leaked")
        }
        XCTAssertTrue(try String(contentsOf: h.daemonLog, encoding: .utf8).contains("requestId="), "logs carry request ids")
    }

    func testBadConfigExits78NamingTheKey() throws {
        let h = try Harness(name: "config")
        try "spoolDir: /tmp/x\nrateLimit: { requestsPerSecnd: 5 }\n".write(toFile: h.configPath, atomically: true, encoding: .utf8)
        try h.startDaemon()
        XCTAssertEqual(h.waitDaemonExit(5), 78)
        XCTAssertTrue(try String(contentsOf: h.daemonLog, encoding: .utf8).contains("rateLimit.requestsPerSecnd"))
        // A group-readable credentials file is refused too.
        try h.startSim(["--instances", "1"])
        try h.writeConfig()
        chmod(h.dir.appendingPathComponent("credentials.yaml").path, 0o644)
        try h.startDaemon()
        XCTAssertEqual(h.waitDaemonExit(5), 78)
        XCTAssertTrue(try String(contentsOf: h.daemonLog, encoding: .utf8).contains("chmod 600"))
    }
}
