import BCCSimulator
import Foundation
import XCTest

/// Hostile and careless plan files against the real binaries (issue 8): plans are data, durations
/// are capped, submit's temporary file is exclusive, submit --watch follows its own plan, and
/// names with control characters never reach a terminal or the log raw.
final class PlanDataEndToEndTests: XCTestCase {
    /// A 400-byte "billion laughs": nine levels of aliases, each nine times the one before, the
    /// last used as a key (Yams' duplicate-key check hashed it whole: 9^9 nodes).
    static let aliasBomb: String = {
        var text = "instances: [i-a1]\nbatchSize: 1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        return text + "? *i\n: boom\n"
    }()

    func testTheAliasBombIsRejectedFastAndACancelDroppedAfterItStillLands() throws {
        let h = try Harness(name: "bomb")
        try h.startSim(["--instances", "8", "--seed", "8", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("long.yaml", Harness.planYAML(ids, "batchSize: 1\npauseBetweenBatches: 2s"))
        XCTAssertTrue(h.waitFor(10) { ((try? h.requests()) ?? []).contains { $0.call == "reboot" } })

        XCTAssertLessThan(Self.aliasBomb.utf8.count, 450)
        let dropped = Date()
        try h.drop("bomb.yaml", Self.aliasBomb)
        XCTAssertEqual(try h.ctl(["cancel", plan]).status, 0)
        let error = h.spool.appendingPathComponent("rejected/bomb.yaml.error")
        XCTAssertTrue(h.waitFor(5) { FileManager.default.fileExists(atPath: error.path) }, "the alias bomb was not rejected within 5 s")
        print("alias bomb rejected after \(String(format: "%.2f", Date().timeIntervalSince(dropped))) s")
        let text = try String(contentsOf: error, encoding: .utf8)
        XCTAssertTrue(text.contains("a (line 3, column 4)") && text.contains("anchors"), text)
        var state = ""
        XCTAssertTrue(
            h.waitFor(3) {
                state = (try? h.plans())?.first { $0.id == plan }?.state ?? ""
                return state == "cancelled"
            }, "the cancel dropped after the bomb was not applied within 3 s: \(state)")
        print("cancel applied after \(String(format: "%.2f", Date().timeIntervalSince(dropped))) s")
        XCTAssertTrue(h.daemon?.isRunning ?? false)
    }

    func testHugeDurationsAreRejectedWithoutACrash() throws {
        let h = try Harness(name: "durations")
        try h.startSim(["--instances", "2", "--seed", "3"])
        try h.writeConfig("pollInterval: 300ms\n")
        let ids = try h.adminState().map(\.id)
        for (name, value) in [("e19.yaml", "1e19"), ("e16.yaml", "1e16")] {
            let file = h.dir.appendingPathComponent(name)
            try Harness.planYAML(ids, "batchSize: 1\npauseBetweenBatches: \(value)").write(to: file, atomically: true, encoding: .utf8)
            let r = try h.ctl(["validate", file.path])
            XCTAssertEqual(r.status, 65, r.out)
            XCTAssertTrue(r.out.contains("pauseBetweenBatches") && r.out.contains("366 days"), r.out)
        }
        let watch = try h.ctl(["watch", "nothing", "--interval", "1e19"])
        XCTAssertNotEqual(watch.status, 0)
        XCTAssertTrue(watch.out.contains("366 days"), watch.out)
        XCTAssertFalse([SIGILL, SIGTRAP].contains(watch.status), "rebootctl trapped")

        try h.startDaemon()
        try h.drop("huge.yaml", Harness.planYAML(ids, "batchSize: 1\npauseBetweenBatches: 1e19"))
        let error = h.spool.appendingPathComponent("rejected/huge.yaml.error")
        XCTAssertTrue(h.waitFor(5) { FileManager.default.fileExists(atPath: error.path) })
        XCTAssertTrue(try String(contentsOf: error, encoding: .utf8).contains("366 days"))
        XCTAssertTrue(h.daemon?.isRunning ?? false, "the daemon is still running")
        XCTAssertEqual(try h.plans().count, 0)
    }

    func testSubmitNeverFollowsASymlinkPlantedAtATemporaryName() throws {
        let h = try Harness(name: "symlink")
        try h.startSim(["--instances", "2", "--seed", "3"])
        try h.writeConfig()
        let incoming = h.spool.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        let victim = h.dir.appendingPathComponent("victim")
        try "precious\n".write(to: victim, atomically: false, encoding: .utf8)
        // The names a predictable writer would use: the plan's name with the next pids.
        let last =
            Int(
                (try? String(contentsOfFile: "/proc/sys/kernel/ns_last_pid", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? Int(getpid())
        for pid in last...(last + 400) {
            XCTAssertEqual(symlink(victim.path, incoming.appendingPathComponent(".plan.yaml.\(pid).tmp").path), 0)
        }
        let file = h.dir.appendingPathComponent("plan.yaml")
        try Harness.planYAML(try h.adminState().map(\.id), "batchSize: 1\ndryRun: true").write(to: file, atomically: true, encoding: .utf8)
        let r = try h.ctl(["submit", file.path])
        XCTAssertEqual(r.status, 0, r.out)
        XCTAssertEqual(try String(contentsOf: victim, encoding: .utf8), "precious\n", "submit wrote through a planted symlink")
        var info = stat()
        XCTAssertEqual(lstat(incoming.appendingPathComponent("plan.yaml").path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG, "a regular file was placed, not a symlink")
        XCTAssertEqual(info.st_mode & 0o777, 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: incoming.path).filter { $0.hasPrefix(".submit-") }
        XCTAssertEqual(leftovers, [])
    }

    func testSubmitWatchFollowsThisSubmissionNotAnEarlierRunOfTheSameContent() throws {
        let h = try Harness(name: "rerun")
        try h.startSim(["--instances", "2", "--seed", "6", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let text = Harness.planYAML(try h.adminState().map(\.id), "batchSize: 2")
        let first = try h.submit("rerun.yaml", text)
        XCTAssertEqual(try h.waitPlanEnd(first, timeout: 20), "succeeded")
        // A .error left from an earlier rejection of a file of the same name.
        let stale = h.spool.appendingPathComponent("rejected/rerun.yaml.error")
        try "rebootd rejected rerun.yaml long ago\n".write(to: stale, atomically: false, encoding: .utf8)
        var old = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
        XCTAssertEqual(utimes(stale.path, &old), 0)

        let r = try h.ctl(["submit", h.dir.appendingPathComponent("rerun.yaml").path, "--watch"])
        XCTAssertEqual(r.status, 0, r.out)
        let plans = try h.plans()
        XCTAssertEqual(plans.count, 2, "\(plans)")
        let second = try XCTUnwrap(plans.first { $0.id != first }).id
        XCTAssertTrue(r.out.contains("accepted as \(second)\n"), r.out)
        XCTAssertFalse(r.out.contains("accepted as \(first)\n"), "followed the earlier run: \(r.out) (plans \(first), \(second))")
        XCTAssertFalse(r.out.contains("long ago"), "printed a stale .error")
        XCTAssertEqual(try h.waitPlanEnd(second, timeout: 20), "succeeded")
    }

    func testANameWithANewlineAndAnEscapeIsShownEscaped() throws {
        let h = try Harness(name: "names")
        try h.startSim(["--instances", "2", "--seed", "7"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let name = "evil\n<2>forged \u{1B}[31mred.yaml"
        try h.drop(name, Harness.planYAML(try h.adminState().map(\.id), "batchSize: 1\ndryRun: true"))
        var plan: String?
        XCTAssertTrue(
            h.waitFor(5) {
                plan = (try? h.plans())?.first?.id
                return plan != nil
            })
        let status = try h.ctl(["status", try XCTUnwrap(plan)])
        XCTAssertEqual(status.status, 0, status.out)
        XCTAssertTrue(status.out.contains("from evil\\n<2>forged \\x1b[31mred.yaml"), status.out)
        XCTAssertFalse(status.out.contains("\u{1B}"), "an ESC reached the terminal")
        XCTAssertFalse(status.out.contains("\n<2>forged"), status.out)

        h.signalDaemon(SIGTERM)
        _ = h.waitDaemonExit(5)
        let log = try String(contentsOf: h.daemonLog, encoding: .utf8)
        XCTAssertTrue(log.contains("evil\\n<2>forged \\x1b[31mred.yaml"), String(log.suffix(3000)))
        XCTAssertFalse(log.contains("\u{1B}"), "an ESC reached the log")
        XCTAssertFalse(log.split(separator: "\n").contains { $0.hasPrefix("<2>forged") }, "a forged log line")
    }
}
