import BCCSimulator
import Foundation
import XCTest

/// What scripts and operators meet in `rebootctl` (SPEC §7, issue 25): sysexits codes with one
/// line and no usage text for runtime errors, plan ids printed and never cut, a plan named by a
/// prefix or a name, controls that say whether the daemon applied them, `--version`.
final class RebootctlEndToEndTests: XCTestCase {
    func testExitCodesSayWhatKindOfFailureItWas() throws {
        let h = try Harness(name: "ctl-codes")
        try h.startSim(["--instances", "2", "--seed", "46"])
        try h.writeConfig()
        // 69: no journal yet (no daemon has run with this config).
        let missing = try h.ctl(["status"])
        XCTAssertEqual(missing.status, 69, missing.out)
        XCTAssertTrue(missing.out.hasPrefix("rebootctl: error: no journal at"), missing.out)
        XCTAssertFalse(missing.out.contains("USAGE"), "a runtime error prints one line, not the usage")
        // 64: a usage error, with the usage.
        let usage = try h.ctl(["status", "--no-such-flag"])
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.out.contains("Usage") || usage.out.contains("USAGE"), usage.out)
        // Help is not an error.
        let help = try h.run("rebootctl", ["--help"])
        XCTAssertEqual(help.status, 0, help.out)
        XCTAssertTrue(help.out.contains("USAGE"), help.out)
        XCTAssertEqual(try h.run("rebootctl", ["status", "--help"]).status, 0)
        // 65: a bad plan.
        let bad = h.dir.appendingPathComponent("bad.yaml")
        try "name: bad\nbatchSize: 0\ninstances: []\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertEqual(try h.ctl(["validate", bad.path]).status, 65)
        // 78: a bad config.
        let badConfig = h.dir.appendingPathComponent("bad-config.yaml")
        try "spoolDir: /tmp/x\nnoSuchKey: 1\n".write(to: badConfig, atomically: true, encoding: .utf8)
        let config = try h.run("rebootctl", ["status", "--config", badConfig.path])
        XCTAssertEqual(config.status, 78, config.out)
        XCTAssertTrue(config.out.contains("noSuchKey"), "names the key to fix: \(config.out)")

        try h.startDaemon()
        try h.requireDaemonUp()
        // 66: no such plan.
        let none = try h.ctl(["status", "no-such-plan"])
        XCTAssertEqual(none.status, 66, none.out)
        XCTAssertEqual(none.out.split(separator: "\n").count, 1, "one line: \(none.out)")
        // 77: permission denied (as nobody, on a journal only its owner may read).
        let shared = h.dir.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        let journal = shared.appendingPathComponent("journal.sqlite")
        try Data().write(to: journal)
        chmod(journal.path, 0o600)
        let sharedConfig = shared.appendingPathComponent("rebootd.yaml")
        try "spoolDir: \(shared.path)/spool\njournal: \(journal.path)\ncredentialsFile: /dev/null\nendpoint: http://127.0.0.1:1\n"
            .write(to: sharedConfig, atomically: true, encoding: .utf8)
        chmod(sharedConfig.path, 0o644)
        for d in [h.dir, shared] { chmod(d.path, 0o755) }
        let denied = try h.run(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups",
                Harness.binDir.appendingPathComponent("rebootctl").path, "status", "--config", sharedConfig.path,
            ],
            absolute: true)
        XCTAssertEqual(denied.status, 77, denied.out)
        XCTAssertTrue(denied.out.contains("permission denied"), denied.out)
        // A plan file that is not there is 66, one that cannot be read 77, for validate and
        // submit alike (a bad plan stays 65).
        let absent = h.dir.appendingPathComponent("absent.yaml").path
        let absentVerdict = try h.ctl(["validate", absent])
        XCTAssertEqual(absentVerdict.status, 66)
        XCTAssertTrue(absentVerdict.out.contains("rebootctl: error: no plan file"), "one line that says what to fix: \(absentVerdict.out)")
        XCTAssertEqual(try h.ctl(["submit", absent]).status, 66)
        XCTAssertEqual(try h.ctl(["validate", bad.path, absent]).status, 66, "a missing file says more than a bad plan")
        let secret = shared.appendingPathComponent("secret.yaml")
        try "name: s\nbatchSize: 1\ninstances: [i-1]\n".write(to: secret, atomically: true, encoding: .utf8)
        chmod(secret.path, 0o600)
        let unreadable = try h.run(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups",
                Harness.binDir.appendingPathComponent("rebootctl").path, "validate", "--config", sharedConfig.path, secret.path,
            ],
            absolute: true)
        XCTAssertEqual(unreadable.status, 77, unreadable.out)
    }

    /// `watch` off a terminal prints a line when something changes (SPEC §7): an ETA that only
    /// ticks on through the pause between batches is not a change.
    func testWatchOffATerminalPrintsALineOnlyWhenSomethingChanges() throws {
        let h = try Harness(name: "ctl-watch")
        try h.startSim(["--instances", "2", "--seed", "48", "--reboot-min", "0.2", "--reboot-max", "0.3"])
        try h.writeConfig("pollInterval: 200ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let plan = h.dir.appendingPathComponent("watched.yaml")
        try Harness.planYAML(try h.adminState().map(\.id), "name: watched\nbatchSize: 1\npauseBetweenBatches: 4s")
            .write(to: plan, atomically: true, encoding: .utf8)
        let watched = try h.ctl(["submit", plan.path, "--watch"])
        XCTAssertEqual(watched.status, 0, watched.out)
        let progress = watched.out.split(separator: "\n").filter { $0.hasPrefix("[") }.map {
            $0.replacingOccurrences(of: #"ETA \S+"#, with: "ETA", options: .regularExpression)
        }
        XCTAssertTrue(progress.last?.contains("succeeded") == true, watched.out)
        for (a, b) in zip(progress, progress.dropFirst()) { XCTAssertNotEqual(a, b, "a line with nothing changed but the ETA: \(watched.out)") }
    }

    func testSubmitPrintsTheIdWhichIsNeverCutAndNamesAndPrefixesFindIt() throws {
        let h = try Harness(name: "ctl-ids")
        try h.startSim(["--instances", "2", "--seed", "47", "--reboot-min", "0.2", "--reboot-max", "0.4"])
        try h.writeConfig("pollInterval: 200ms\n")
        let ids = try h.adminState().map(\.id)
        let plan = h.dir.appendingPathComponent("long.yaml")
        let name = "a-plan-name-long-enough-to-make-a-plan-id-of-81-characters-xxxxx"  // 64 characters, the most a name may have
        try Harness.planYAML(ids, "name: \(name)\nbatchSize: 1\npauseBetweenBatches: 30s").write(to: plan, atomically: true, encoding: .utf8)

        // Without a daemon (one ran before, so the spool is there), the plan waits, and submit says so.
        try h.startDaemon()
        try h.requireDaemonUp()
        h.signalDaemon(SIGTERM)
        _ = h.waitDaemonExit(10)
        let waiting = try h.ctl(["submit", plan.path])
        XCTAssertEqual(waiting.status, 0, waiting.out)
        XCTAssertTrue(waiting.out.contains("no rebootd is running"), waiting.out)
        try h.startDaemon()
        try h.requireDaemonUp()
        XCTAssertTrue(h.waitFor(10) { (try? h.plans().count) == 1 }, "the waiting plan was taken at the start")
        let pause = try h.ctl(["pause", name])
        XCTAssertEqual(pause.status, 0, pause.out)
        XCTAssertTrue(pause.out.contains("applied: paused"), "the daemon applied it, and pause says so: \(pause.out)")
        XCTAssertEqual(try h.ctl(["pause", ""]).status, 64, "an empty plan argument (an unset variable) names no plan")
        XCTAssertEqual(try h.ctl(["status", "--since", "7d"]).status, 0)

        let second = h.dir.appendingPathComponent("second.yaml")
        try Harness.planYAML([ids[0]], "name: \(name)\nbatchSize: 1").write(to: second, atomically: true, encoding: .utf8)
        let submitted = try h.ctl(["submit", second.path])
        XCTAssertEqual(submitted.status, 0, submitted.out)
        let id = try XCTUnwrap(
            submitted.out.components(separatedBy: "accepted as ").last?.trimmingCharacters(in: .whitespacesAndNewlines),
            "submit prints the id: \(submitted.out)")
        XCTAssertGreaterThanOrEqual(id.count, 81, id)
        XCTAssertTrue(try h.ctl(["status"]).out.contains(id), "the id whole in status")
        // By name: the newest plan of that name; by a unique prefix; an ambiguous prefix is refused.
        let byName = try h.ctl(["status", name, "--json"])
        XCTAssertTrue(byName.out.contains("\"id\" : \"\(id)\""), byName.out)
        let byPrefix = try h.ctl(["status", String(id.prefix(id.count - 2)), "--json"])
        XCTAssertEqual(byPrefix.status, 0, byPrefix.out)
        let ambiguous = try h.ctl(["status", "2"])
        XCTAssertEqual(ambiguous.status, 64, ambiguous.out)
        XCTAssertTrue(ambiguous.out.contains("give more of it"), ambiguous.out)

        // Newest first, filtered by state; the plan's events.
        XCTAssertEqual(try h.plans().first?.id, id, "newest first")
        let pausedOnly = try h.ctl(["status", "--state", "paused", "--json"])
        XCTAssertEqual(pausedOnly.status, 0, pausedOnly.out)
        XCTAssertFalse(pausedOnly.out.contains(id), "the succeeded plan is filtered out")
        XCTAssertTrue(pausedOnly.out.contains("\"state\" : \"paused\""), pausedOnly.out)
        XCTAssertEqual(try h.ctl(["status", "--state", "bogus"]).status, 64)
        let events = try h.ctl(["events", id])
        XCTAssertEqual(events.status, 0, events.out)
        XCTAssertTrue(events.out.contains("batch-start") && events.out.contains("batch 1/1"), events.out)
        let pausedEvents = try h.ctl(["events", try XCTUnwrap(try h.plans().first { $0.state == "paused" }?.id)])
        XCTAssertTrue(pausedEvents.out.contains("control") && pausedEvents.out.contains("pause by"), "controls are events: \(pausedEvents.out)")
        let eventsJSON = try h.ctl(["events", name, "--json"])
        XCTAssertTrue(eventsJSON.out.contains("\"kind\" : \"batch-start\""), eventsJSON.out)

        // Without a daemon, a control is written for the next start, and says so.
        h.signalDaemon(SIGTERM)
        _ = h.waitDaemonExit(10)
        let paused = try XCTUnwrap(try h.plans().first { $0.state == "paused" }?.id)
        let later = try h.ctl(["cancel", paused])
        XCTAssertEqual(later.status, 0, later.out)
        XCTAssertTrue(later.out.contains("no rebootd is running"), later.out)
        // status lists active plans and those that ended in the last 7 days; --all every plan.
        let backdate = Process()
        backdate.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        backdate.arguments = [
            h.dir.appendingPathComponent("journal.sqlite").path,
            "UPDATE plans SET finishedAt = '2020-01-01T00:00:00.000Z' WHERE id = '\(id)'",
        ]
        try backdate.run()
        backdate.waitUntilExit()
        XCTAssertEqual(backdate.terminationStatus, 0)
        let recent = try h.ctl(["status"])
        XCTAssertFalse(recent.out.contains(id), "a plan that ended years ago is not in the default list: \(recent.out)")
        XCTAssertTrue(recent.out.contains(paused) && recent.out.contains("1 plan that ended more than 7 days ago not shown"), recent.out)
        XCTAssertTrue(try h.ctl(["status", "--all"]).out.contains(id))
        let recentJSON = try h.ctl(["status", "--json"])
        XCTAssertTrue(recentJSON.out.contains("\"notShown\" : 1") && !recentJSON.out.contains(id), recentJSON.out)
        XCTAssertTrue(try h.ctl(["status", "--state", "succeeded"]).out.contains(id), "a filter of its own shows it")
        for binary in ["rebootctl", "rebootd", "bcc-sim"] {
            let version = try h.run(binary, ["--version"])
            XCTAssertEqual(version.status, 0)
            XCTAssertNotNil(version.out.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression), "\(binary): \(version.out)")
        }
    }
}
