import BCCSimulator
import Foundation
import XCTest

/// Issue 23 #1 and #6 with the real binaries, judged from what bcc-sim saw: a reboot over
/// before the first reading of its lost answer is never sent again, and an account pause holds
/// across a restart after the only plan it paused was cancelled.
final class EvidenceEndToEndTests: XCTestCase {
    private static func rebootCalls(_ h: Harness, since: TimeInterval = 0) -> [RequestLog.Entry] {
        ((try? h.requests()) ?? []).filter { ($0.call == "reboot" || $0.call == "batchReboot") && $0.start >= since }
    }

    /// Reboots of 1-2 s; batch 2's answers held 7 s, past a 5 s timeout: each reboot is over
    /// before the timeout. The old daemon read the instance only after the timeout, saw Running,
    /// and after inDoubtGrace (here 2 s) sent the call again: rebooted 6 times each, reported
    /// `Timeout after 6 tries`. Now readings start `pollInterval` after the send, see the reboot
    /// under way, and the call is known to have taken effect: rebooted once, reported rebooted.
    func testAFastRebootWhoseAnswerWasLostIsSeenFromTheSendAndNeverSentAgain() throws {
        let h = try Harness(name: "fast-lost")
        try h.startSim(["--instances", "8", "--seed", "41", "--reboot-min", "1", "--reboot-max", "2"])
        try h.writeConfig(
            """
            rateLimit: { requestsPerSecond: 10, burst: 5 }
            requestTimeout: 5s
            pollInterval: 500ms
            inDoubtGrace: 2s
            inDoubtMaxGap: 12s
            # inDoubtGrace is retired (ignored, with a warning); it stays so that the daemon
            # before issue 23 can be run on this config and seen to re-send.

            """)
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("fast.yaml", Harness.planYAML(ids, "batchSize: 4\npauseBetweenBatches: 3s\nmaxFailures: \"100%\""))
        // Batch 1 runs clean (the daemon learns how short these reboots are); batch 2's answers are lost.
        XCTAssertTrue(h.waitFor(30) { (try? h.planStatus(plan))?.counts["rebooted"] ?? 0 >= 4 }, "batch 1 rebooted")
        try h.setFault(#"{"call": "reboot", "kind": "hang", "seconds": 7, "for": 60}"#)
        XCTAssertTrue(["succeeded", "failed"].contains(try h.waitPlanEnd(plan, timeout: 60)), "the plan ended")
        // bcc-sim logs a held call when it finally answers, 7 s after it.
        XCTAssertTrue(h.waitFor(15) { Self.rebootCalls(h).count >= 8 }, "every call logged")
        let lost = Set(((try? h.requests()) ?? []).filter { $0.call == "reboot" && $0.end - $0.start >= 6 }.flatMap(\.ids))
        XCTAssertEqual(lost.count, 4, "batch 2's four answers were held past the timeout (else the test proves nothing)")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map { "\($0.id): \($0.reboots)" }, [], "every instance rebooted exactly once")
        XCTAssertEqual(Self.rebootCalls(h).count, 8, "no call sent again")
        for inst in try h.planStatus(plan).instances where lost.contains(inst.id) {
            XCTAssertEqual(inst.state, "rebooted", "\(inst.id): read Starting while its call was unanswered")
        }
        let outcomes = try GateEndToEndTests.sql(h, "SELECT outcome FROM attempts ORDER BY id")
        XCTAssertEqual(outcomes.filter { $0 == "applied" }.count, 4, "the four lost calls were resolved as applied: \(outcomes)")
    }

    /// The account pause is the daemon's own state: plan A paused by a refused key, A cancelled,
    /// the daemon restarted. Plan B, submitted after, made 10 calls at once with the refused key
    /// on the old daemon, which knew the pause only from A's reason.
    func testAnAccountPauseHoldsAcrossARestartAfterItsPlanWasCancelled() throws {
        let h = try Harness(name: "account-restart")
        try h.startSim(["--instances", "6", "--seed", "42", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 10, burst: 5 }\npollInterval: 300ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        try h.setFault(#"{"call": "reboot", "kind": "error", "status": 403, "code": "AccessDenied", "for": 600}"#)
        let first = try h.submit("a.yaml", Harness.planYAML(Array(ids[0..<3]), "batchSize: 3"))
        XCTAssertTrue(h.waitFor(20) { (try? h.plans())?.first { $0.id == first }?.state == "paused" }, "the refused key paused plan A")
        XCTAssertEqual(try h.ctl(["cancel", first]).status, 0)
        XCTAssertEqual(try h.waitPlanEnd(first, timeout: 20), "cancelled")
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(20), 0)
        try h.clearFaults()  // the key works again; only an operator knows it

        let restarted = Date().timeIntervalSince1970
        try h.startDaemon()
        try h.requireDaemonUp()
        let second = try h.submit("b.yaml", Harness.planYAML(Array(ids[3..<6]), "batchSize: 3"))
        XCTAssertTrue(h.waitFor(10) { (try? h.plans())?.first { $0.id == second }?.state == "paused" }, "plan B is paused at once")
        usleep(1_500_000)  // at 10 calls a second, a running plan B calls within 0.1 s
        XCTAssertEqual(Self.rebootCalls(h, since: restarted).count, 0, "no call with the refused key after the restart")
        let resume = try h.ctl(["resume", "--all"])
        XCTAssertEqual(resume.status, 0, resume.out)
        XCTAssertEqual(try h.waitPlanEnd(second, timeout: 30), "succeeded", "resume --all lifts the pause")
    }

    /// Issue 23 #2: a 409 lost to a kill -9. Three calls meet a busy instance (409, Starting for
    /// 10 s); the daemon is killed the moment bcc-sim has answered the first 409. The old daemon
    /// held the answer up to half a second before journaling it: the restart found the attempt
    /// open, read Starting, took it for the call's effect, and reported `rebooted` an instance
    /// the API never accepted a reboot for. Judged from bcc-sim: whatever is reported rebooted
    /// had a reboot accepted, and nothing was rebooted twice. (The kill lands about 0.1 s after
    /// the 409 on this machine; the daemon before issue 23 had usually committed it by then, so
    /// this guards the outcome, and AnswerHoldTests pins the commit itself in virtual time.)
    func testA409LostToAKillIsNeverReportedAsAReboot() throws {
        let h = try Harness(name: "lost-409")
        try h.startSim(["--instances", "30", "--seed", "43", "--reboot-min", "1", "--reboot-max", "2"])
        // Calls go in groups (10 a second): the old daemon held each group's answers.
        try h.writeConfig("rateLimit: { requestsPerSecond: 10, burst: 20 }\nmaxConcurrentRequests: 16\npollInterval: 500ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let ids = try h.adminState().map(\.id)
        try h.setFault(#"{"call": "reboot", "kind": "busy", "seconds": 10, "count": 3, "rate": 0.25}"#)
        let plan = try h.submit("lost409.yaml", Harness.planYAML(ids, "batchSize: 30\nmaxFailures: \"100%\""))
        // Watch the end of bcc-sim's log (it writes each entry before it answers): the kill
        // lands within a millisecond or two of the 409.
        let log = try FileHandle(forReadingFrom: h.simLog)
        var seen = false
        let deadline = Date() + 20
        while !seen && Date() < deadline {
            let more = log.readDataToEndOfFile()
            if more.isEmpty {
                usleep(300)
                continue
            }
            seen = String(decoding: more, as: UTF8.self).contains(#""status":409"#)
        }
        XCTAssertTrue(seen, "a 409 was answered")
        h.signalDaemon(SIGKILL)
        _ = h.waitDaemonExit(5)
        let refused = Set(Self.rebootCalls(h).filter { $0.status == 409 }.flatMap(\.ids))
        XCTAssertFalse(refused.isEmpty)

        try h.startDaemon()
        XCTAssertTrue(["succeeded", "failed"].contains(try h.waitPlanEnd(plan, timeout: 90)), "the plan ended")
        let sim = Dictionary(uniqueKeysWithValues: try h.adminState().map { ($0.id, $0.reboots) })
        let status = try h.planStatus(plan)
        XCTAssertEqual(
            status.instances.filter { $0.state == "rebooted" && sim[$0.id] != 1 }.map { "\($0.id): \(sim[$0.id] ?? -1) accepted" }, [],
            "reported rebooted only with exactly one accepted reboot (409s at the kill: \(refused.sorted()))")
        XCTAssertEqual(sim.filter { $0.value > 1 }.map(\.key), [], "nothing rebooted twice")
    }
}
