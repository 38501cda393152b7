import Foundation
import XCTest

/// SIGHUP (SPEC §6): credentials apply to calls made after the reload; keys that cannot change
/// while running keep their value with a warning naming them; a config that does not validate
/// is ignored whole.
final class ReloadEndToEndTests: XCTestCase {
    func testFixedCredentialsApplyAfterAReloadAndFixedKeysAreNamed() throws {
        let h = try Harness(name: "reload")
        try h.startSim(["--instances", "4", "--seed", "51", "--reboot-min", "0.2", "--reboot-max", "0.3"])
        try h.writeConfig("pollInterval: 300ms\n")
        // A wrong secret: BCE answers SignatureDoesNotMatch, an account-level error.
        let creds = h.dir.appendingPathComponent("credentials.yaml")
        try "accessKeyId: \(Harness.accessKeyId)\nsecretAccessKey: not-the-secret\n".write(to: creds, atomically: true, encoding: .utf8)
        chmod(creds.path, 0o600)
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("r.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertTrue(h.waitFor(15) { (try? h.planStatus(plan).state) == "paused" }, "paused by the account error")
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.count, 0)

        // The right secret, and a spoolDir and journal that cannot change while running.
        try "accessKeyId: \(Harness.accessKeyId)\nsecretAccessKey: \(Harness.secret)\n".write(to: creds, atomically: true, encoding: .utf8)
        chmod(creds.path, 0o600)
        var text = try String(contentsOfFile: h.configPath, encoding: .utf8)
        let original = text
        text = text.replacingOccurrences(of: "spoolDir: \(h.spool.path)", with: "spoolDir: \(h.dir.path)/other-spool")
            .replacingOccurrences(of: "journal: \(h.dir.path)/journal.sqlite", with: "journal: \(h.dir.path)/other.sqlite")
        try text.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        h.signalDaemon(SIGHUP)
        XCTAssertTrue(h.waitFor(5) { ((try? String(contentsOf: h.daemonLog, encoding: .utf8)) ?? "").contains("configuration reloaded") })
        let log = try String(contentsOf: h.daemonLog, encoding: .utf8)
        let warning = log.split(separator: "\n").first { $0.contains("keeping the running value until a restart") }
        XCTAssertTrue(warning?.contains("journal") == true && warning?.contains("spoolDir") == true, "\(warning ?? "no warning")")
        try original.write(toFile: h.configPath, atomically: true, encoding: .utf8)  // rebootctl reads it too

        XCTAssertEqual(try h.ctl(["resume", "--all"]).status, 0)
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "succeeded", "the reloaded key signs the calls after the reload")
        let accepted = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.flatMap(\.ids)
        XCTAssertEqual(accepted.sorted(), ids.sorted())
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.dir.appendingPathComponent("other.sqlite").path), "the running journal kept")
        XCTAssertFalse(try String(contentsOf: h.daemonLog, encoding: .utf8).contains(Harness.secret), "no secret in the log")

        // A config that does not validate is ignored whole: the daemon goes on.
        try "rateLimit: { requestsPerSecond: -1 }\n".write(toFile: h.configPath, atomically: true, encoding: .utf8)
        h.signalDaemon(SIGHUP)
        XCTAssertTrue(
            h.waitFor(5) { ((try? String(contentsOf: h.daemonLog, encoding: .utf8)) ?? "").contains("reload refused, keeping the running config") })
        try original.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }

    /// Gates added by a reload can be named by the plans taken in after it, and the gate a
    /// running plan names is checked as the reloaded config defines it.
    func testAReloadChangesTheGatesPlansMayNameAndHowTheyAreChecked() throws {
        let h = try Harness(name: "reload-gates")
        try h.startSim(["--instances", "2", "--seed", "52", "--reboot-min", "0.2", "--reboot-max", "0.3"])
        try h.writeConfig("pollInterval: 300ms\ngates:\n  quorum: { command: [/bin/false] }\ngateInterval: 500ms\ngateTimeout: 5m\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        try h.drop("early.yaml", Harness.planYAML(ids, "batchSize: 1\nhealthGates: [later]"))
        let rejected = h.spool.appendingPathComponent("rejected/early.yaml.error")
        XCTAssertTrue(h.waitFor(10) { FileManager.default.fileExists(atPath: rejected.path) }, "no gate named later yet")
        let plan = try h.submit("held.yaml", Harness.planYAML(ids, "batchSize: 1\nhealthGates: [quorum]"))
        XCTAssertTrue(h.waitFor(10) { (try? h.planStatus(plan).state) == "waiting-gate" })

        try h.writeConfig(
            "pollInterval: 300ms\ngates:\n  quorum: { command: [/bin/true] }\n  later: { command: [/bin/true] }\ngateInterval: 500ms\ngateTimeout: 5m\n"
        )
        h.signalDaemon(SIGHUP)
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 20), "succeeded", "the reloaded gate passes")
        let later = try h.submit("later.yaml", Harness.planYAML(ids, "batchSize: 2\nhealthGates: [later]"))
        XCTAssertEqual(try h.waitPlanEnd(later, timeout: 20), "succeeded")
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.count, 4)
    }
}
