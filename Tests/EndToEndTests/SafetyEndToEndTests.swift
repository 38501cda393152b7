import BCCSimulator
import Foundation
import XCTest

/// SPEC §4.6, §4.8, §4.10, §4.12 and §4.13 over the real binaries, judged from what bcc-sim saw
/// (its request log and `/_admin/state`), not from what the daemon says: a cancel or a halt
/// survives kill -9 right after it was applied, a second daemon refuses to start, lost answers
/// during a status outage are never re-sent, and wall-clock steps neither stall nor time out.
final class SafetyEndToEndTests: XCTestCase {
    func testCancelThenKill9NeverRebootsAfterTheCancel() throws {
        let h = try Harness(name: "cancel-kill9")
        try h.startSim(["--instances", "12", "--seed", "21", "--reboot-min", "3", "--reboot-max", "4"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 2, burst: 1 }\npollInterval: 500ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("cancel.yaml", Harness.planYAML(ids, "batchSize: 12"))
        XCTAssertTrue(h.waitFor(30) { rebootCalls(h).count >= 3 }, "reboot calls started")

        let control = h.spool.appendingPathComponent("control/\(plan).cancel")
        XCTAssertEqual(try h.ctl(["cancel", plan]).status, 0)
        // The daemon removes the control file only once the cancel is journaled (SPEC §3, §4.10);
        // it may be gone already when rebootctl returns.
        var applied: Date?
        let deadline = Date() + 5
        while Date() < deadline {
            if !FileManager.default.fileExists(atPath: control.path) {
                applied = Date()
                break
            }
            usleep(5_000)
        }
        h.signalDaemon(SIGKILL)
        let appliedAt = try XCTUnwrap(applied, "the cancel was not applied within 5 s")
        _ = h.waitDaemonExit(5)
        let calledBeforeCancel = Set(rebootCalls(h).filter { $0.start < appliedAt.timeIntervalSince1970 }.flatMap(\.ids))
        XCTAssertLessThan(calledBeforeCancel.count, ids.count, "the cancel came mid-batch (else the test proves nothing)")
        let journaled = try h.planStatus(plan)

        try h.startDaemon()
        XCTAssertEqual(
            try h.waitPlanEnd(plan, timeout: 30), "cancelled",
            "a cancel applied before kill -9 holds after the restart (journal at the kill: plan \(journaled.state), \(journaled.counts))")
        let late = rebootCalls(h).filter { $0.start >= appliedAt.timeIntervalSince1970 }
        XCTAssertEqual(
            late.map { "\($0.ids) at +\(String(format: "%.2f", $0.start - appliedAt.timeIntervalSince1970))s" }, [],
            "no reboot call started after the cancel was applied")
        XCTAssertEqual(try h.adminState().filter { $0.reboots > 1 }.map(\.id), [], "no instance rebooted twice")
        let status = try h.planStatus(plan)
        XCTAssertEqual(status.state, "cancelled")
        XCTAssertEqual(
            status.instances.filter { !calledBeforeCancel.contains($0.id) && $0.state != "cancelled" }.map { "\($0.id): \($0.state)" },
            [], "instances never called are cancelled")
    }

    func testHaltThenKill9StaysFailed() throws {
        let h = try Harness(name: "halt-kill9")
        let ids = (1...12).map { String(format: "i-halt%02d", $0) }
        let fleet = h.dir.appendingPathComponent("fleet.txt")
        try ids.joined(separator: "\n").write(to: fleet, atomically: true, encoding: .utf8)
        try h.startSim(["--fleet", fleet.path, "--reboot-min", "3", "--reboot-max", "4"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        // The batch's read sees all four Running; one call then meets a busy instance, and with
        // one 409 allowed it fails while the other three are rebooting.
        try h.setFault(#"{"call": "reboot", "kind": "busy", "seconds": 60, "count": 1}"#)
        let plan = try h.submit("halt.yaml", Harness.planYAML(ids, "batchSize: 4\nmaxFailures: 0\nconflictRetry: { maxAttempts: 1 }"))

        // As soon as the journal shows the failure, kill -9: the halt must already hold.
        var sawFailure = false
        let deadline = Date() + 20
        while Date() < deadline {
            if let s = try? h.planStatus(plan), s.instances.contains(where: { $0.state == "failed" }) {
                sawFailure = true
                break
            }
            usleep(20_000)
        }
        h.signalDaemon(SIGKILL)
        XCTAssertTrue(sawFailure, "the Error instance failed within 20 s")
        _ = h.waitDaemonExit(5)
        let rebootingAtKill = try h.adminState().filter { $0.status == "Starting" }.map(\.id)
        XCTAssertFalse(rebootingAtKill.isEmpty, "the rest of batch 1 was still rebooting at the kill (else the test proves nothing)")
        let journaled = try h.planStatus(plan)

        try h.startDaemon()
        XCTAssertEqual(
            try h.waitPlanEnd(plan, timeout: 30), "failed",
            "a halt journaled before kill -9 holds after the restart (journal at the kill: plan \(journaled.state), \(journaled.counts))")
        usleep(1_000_000)  // a daemon that wrongly resumed would call batch 2 now
        let called = Set(rebootCalls(h).flatMap(\.ids))
        XCTAssertEqual(called.subtracting(ids[0..<4]).sorted(), [], "reboot calls only ever for batch 1")
        XCTAssertEqual(try h.adminState().filter { $0.reboots > 1 }.map(\.id), [], "no instance rebooted twice")
        let status = try h.planStatus(plan)
        XCTAssertEqual(status.state, "failed")
        XCTAssertEqual(status.instances.filter { $0.state == "failed" }.count, 1)
        XCTAssertEqual(
            status.instances.filter { $0.state == "rebooted" || $0.state == "rebooting" }.map(\.id).filter { !ids[0..<4].contains($0) },
            [], "no later instance was rebooted")
    }

    func testSecondDaemonExitsAtOnceNamingTheHolder() throws {
        let h = try Harness(name: "two-daemons")
        try h.startSim(["--instances", "20", "--seed", "23", "--reboot-min", "1", "--reboot-max", "2"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 10, burst: 2 }\npollInterval: 400ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let first = try XCTUnwrap(h.daemon).processIdentifier
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("two.yaml", Harness.planYAML(ids, "batchSize: 5"))
        XCTAssertTrue(h.waitFor(30) { rebootCalls(h).count >= 2 }, "the plan started")

        let second = Process()
        second.executableURL = Harness.binDir.appendingPathComponent("rebootd")
        second.arguments = ["--config", h.configPath]
        let outFile = h.dir.appendingPathComponent("second.log")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile)
        second.standardOutput = out
        second.standardError = out
        let started = Date()
        try second.run()
        // "At once": it takes no lock wait and no retry. 10 s is far above a start's cost even on
        // a loaded machine, and far below the plan it would otherwise run alongside.
        let exited = h.waitFor(10, every: 0.02) { !second.isRunning }
        let elapsed = Date().timeIntervalSince(started)
        if !exited { kill(second.processIdentifier, SIGKILL) }
        second.waitUntilExit()
        let output = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        XCTAssertTrue(
            exited,
            "a second rebootd on the same config must exit at once; it ran \(String(format: "%.1f", elapsed)) s (killed). Output: \(output.suffix(1500))"
        )
        if exited {
            XCTAssertEqual(second.terminationStatus, 1, "exit status 1. Output: \(output.suffix(1500))")
        }
        XCTAssertTrue(output.contains("\(first)"), "the refusal names the holder's pid \(first). Output: \(output.suffix(1500))")
        XCTAssertTrue(try XCTUnwrap(h.daemon).isRunning, "the first daemon is unharmed")

        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 50), "succeeded")
        let state = try h.adminState()
        XCTAssertEqual(state.filter { $0.reboots != 1 }.map { "\($0.id): \($0.reboots)" }, [], "every instance rebooted exactly once")
    }

    func testLostAnswersDuringStatusOutageAreNeverResent() throws {
        let h = try Harness(name: "lost-answers")
        try h.startSim(["--instances", "20", "--seed", "24", "--reboot-min", "1", "--reboot-max", "2"])
        try h.writeConfig(
            """
            rateLimit: { requestsPerSecond: 4, burst: 1 }
            requestTimeout: 1s
            pollInterval: 500ms
            minRebootTime: 1s
            inDoubtMaxGap: 3s
            retry: { maxAttempts: 10, baseDelay: 200ms, maxDelay: 1s }

            """)
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("lost.yaml", Harness.planYAML(ids, "batchSize: 20\nmaxFailures: \"100%\""))
        XCTAssertTrue(h.waitFor(30) { rebootCalls(h).count >= 3 }, "reboot calls started")
        // The answers to the next two reboot calls are lost (applied, answered after the
        // client's 1 s), and every status call fails for 8 s: no evidence for longer than
        // inDoubtMaxGap. By count, not by a time window: while the outage's failed polls take
        // the rate limiter's tokens first, a window can pass with no reboot call in it.
        try h.setFault(#"{"call": "reboot", "kind": "hang", "seconds": 3, "count": 2, "for": 30}"#)
        try h.setFault(#"{"call": "describeMany", "kind": "error", "status": 500, "for": 8}"#)

        let end = try h.waitPlanEnd(plan, timeout: 50)
        XCTAssertTrue(["succeeded", "failed"].contains(end), "the plan ended, got '\(end)'")
        let log = try h.requests()
        let lost = Set(log.filter { $0.call == "reboot" && $0.status == 200 && $0.end - $0.start >= 2.5 }.flatMap(\.ids))
        XCTAssertFalse(lost.isEmpty, "some reboot answers were lost (else the test proves nothing)")
        XCTAssertTrue(log.contains { $0.call == "describeMany" && $0.status == 500 }, "the status outage happened")

        let state = try h.adminState()
        XCTAssertEqual(state.filter { $0.reboots > 1 }.map { "\($0.id): \($0.reboots)" }, [], "no instance rebooted twice")
        let status = try h.planStatus(plan)
        for inst in status.instances {
            if lost.contains(inst.id) {
                XCTAssertEqual(inst.state, "failed", "\(inst.id): its answer was lost and the evidence had a gap > 3 s")
                XCTAssertTrue(inst.lastError?.contains("in-doubt") == true, "\(inst.id): lastError \(inst.lastError ?? "nil") names in-doubt")
            } else {
                XCTAssertEqual(inst.state, "rebooted", "\(inst.id) (\(inst.lastError ?? "no error"))")
                XCTAssertEqual(state.first { $0.id == inst.id }?.reboots, 1, "\(inst.id): exactly one accepted reboot")
            }
        }
    }

    func testWallClockStepsDoNotStallOrTimeOut() throws {
        let h = try Harness(name: "wallclock")
        let clock = try FakeWallClock(h)
        func step(_ text: String) throws { try clock.step(text) }
        try h.startSim(["--instances", "30", "--seed", "25", "--reboot-min", "1", "--reboot-max", "2"])
        try h.writeConfig("pollInterval: 500ms\n")
        // Under the preload a Swift program sees no arguments: the config comes from the environment.
        try h.startDaemon(environment: clock.environment(config: h.configPath), arguments: [])
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("clock.yaml", Harness.planYAML(ids, "batchSize: 5\nrebootTimeout: 20s\npauseBetweenBatches: 1s"))
        XCTAssertTrue(h.waitFor(30) { rebootCalls(h).count >= 8 }, "the plan is in its second batch")
        let back = Date()
        try step("-600")
        usleep(4_000_000)
        let forward = Date()
        try step("+300")

        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 40), "succeeded", "the plan goes on across steps of the wall clock")
        let log = try h.requests().sorted { $0.start < $1.start }
        let reboots = log.filter { $0.call == "reboot" }
        XCTAssertTrue(reboots.contains { $0.start > back.timeIntervalSince1970 + 0.5 }, "reboot calls after the step back")
        let first = try XCTUnwrap(reboots.first?.start, "reboot calls were made")
        let last = try XCTUnwrap(reboots.last?.start)
        let during = log.map(\.start).filter { $0 >= first && $0 <= last }
        let gaps = zip(during, during.dropFirst()).map { $1 - $0 }
        XCTAssertLessThan(gaps.max() ?? 0, 5, "no stall: the longest quiet spell between requests was \(gaps.max() ?? 0) s")
        for (name, t) in [("back", back), ("forward", forward)] {
            let next = try XCTUnwrap(reboots.first { $0.start >= t.timeIntervalSince1970 }, "a reboot call after the step \(name)")
            XCTAssertLessThan(next.start - t.timeIntervalSince1970, 5, "a reboot call within 5 s of the step \(name)")
        }
        let status = try h.planStatus(plan)
        XCTAssertEqual(
            status.instances.filter { $0.state != "rebooted" }.map { "\($0.id): \($0.state) \($0.lastError ?? "")" }, [],
            "no instance failed (no timeout)")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map { "\($0.id): \($0.reboots)" }, [], "every instance rebooted exactly once")
    }

    // MARK: Helpers

    /// The libfaketime that steps the wall clock of one process, from Debian's package.
    static func libfaketime() -> String? {
        let dpkg = Process()
        dpkg.executableURL = URL(fileURLWithPath: "/usr/bin/dpkg")
        dpkg.arguments = ["-L", "libfaketime"]
        let out = Pipe()
        dpkg.standardOutput = out
        dpkg.standardError = FileHandle(forWritingAtPath: "/dev/null")
        guard (try? dpkg.run()) != nil else { return nil }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        dpkg.waitUntilExit()
        return text.split(separator: "\n").map(String.init).first { $0.hasSuffix("/libfaketimeMT.so.1") }
    }
}

/// The reboot calls bcc-sim has logged so far.
private func rebootCalls(_ h: Harness) -> [RequestLog.Entry] {
    ((try? h.requests()) ?? []).filter { $0.call == "reboot" || $0.call == "batchReboot" }
}
