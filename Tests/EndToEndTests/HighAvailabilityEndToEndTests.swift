import BCCSimulator
import Foundation
import RebootCore
import XCTest

/// SPEC §4.16 (issue 27): two or three real rebootd processes on one real PostgreSQL journal,
/// in front of bcc-sim, judged from what bcc-sim saw. The lease is short (3 s, renewed every
/// 400 ms, trusted until 800 ms before it ends: a renewal may stall 1.8 s on a loaded machine),
/// so that each takeover takes seconds. Where a call may be in flight at a takeover, a reboot
/// keeps its instance out of Running for longer than the takeover takes (6 s), so that the new
/// leader can see its effect: a faster reboot
/// whose answer was lost is `in-doubt` by rule 4.8, and fails rather than being sent again;
/// `minRebootTime` says how short a reboot can be.
final class HighAvailabilityEndToEndTests: XCTestCase {
    static let fastCalls = "requestTimeout: 2s\npollInterval: 300ms\nminRebootTime: 2s\n"
    /// For reboots of 6 s or more: rule 4.8 may take a reboot to last 5 s, longer than a
    /// takeover's gap in readings, so a new leader tells a call that never went out (frozen
    /// after its attempt was journaled) from one that did.
    static let slowReboots = "requestTimeout: 2s\npollInterval: 300ms\nminRebootTime: 5s\n"

    func testKill9OfTheLeaderThreeTimesAlternatingAStandbyFinishesEveryInstanceRebootedOnce() throws {
        let h = try Harness(name: "ha-kill9")
        try h.startSim(["--instances", "12", "--seed", "31", "--reboot-min", "6", "--reboot-max", "6.5"])
        let cluster = try Cluster(harness: h, nodes: 2, extraConfig: Self.slowReboots)
        try cluster.start(cluster.nodes[0])
        _ = try cluster.waitLeader()
        try cluster.start(cluster.nodes[1])
        let ids = try h.adminState().map(\.id)
        // Taken in by a standby's spool, run by the leader.
        let standby = try XCTUnwrap(cluster.nodes.first { $0 !== cluster.leader() })
        let plan = try cluster.submit(standby, "ha.yaml", Harness.planYAML(ids, "batchSize: 4"))
        var epochs: [Int64] = [try cluster.lease().epoch]
        for round in 1...3 {
            XCTAssertTrue(h.waitFor(60) { ((try? h.adminState()) ?? []).filter { $0.reboots > 0 }.count >= round * 4 - 2 })
            // The leader as the database says just now.
            let (leader, _) = try cluster.waitLeader()
            cluster.kill9(leader)
            let killed = Date()
            let (next, seen) = try cluster.waitLeader(other: leader)
            print("ha-kill9: round \(round): a new leader \(String(format: "%.2f", seen.timeIntervalSince(killed))) s after kill -9")
            // Taken within the lease and a renewal interval (and the test's polling).
            XCTAssertLessThan(seen.timeIntervalSince(killed), cluster.leaseSettings.duration + cluster.leaseSettings.renewEvery + 1, "round \(round)")
            epochs.append(try cluster.lease().epoch)
            try cluster.start(leader)  // back, as a standby
            _ = next
        }
        let last = cluster.leader()
        XCTAssertEqual(cluster.waitPlanEnd(plan, timeout: 120), "succeeded", (last?.logText.suffix(3000)).map(String.init) ?? "no leader")
        let state = try h.adminState()
        XCTAssertEqual(state.filter { $0.reboots != 1 }.map { "\($0.id): \($0.reboots)" }, [], "every instance rebooted exactly once")
        XCTAssertEqual(zip(epochs, epochs.dropFirst()).filter { $0 >= $1 }.count, 0, "a new, higher epoch at each takeover: \(epochs)")
    }

    func testALeaderStoppedPastItsLeaseSendsNothingWhenItContinuesAndStepsDown() throws {
        let h = try Harness(name: "ha-sigstop")
        try h.startSim(["--instances", "6", "--seed", "32", "--reboot-min", "6", "--reboot-max", "6.5"])
        let cluster = try Cluster(harness: h, nodes: 2, extraConfig: Self.slowReboots)
        try cluster.start(cluster.nodes[0])
        let (old, _) = try cluster.waitLeader()
        try cluster.start(cluster.nodes[1])
        let ids = try h.adminState().map(\.id)
        let plan = try cluster.submit(old, "stop.yaml", Harness.planYAML(ids, "batchSize: 2\npauseBetweenBatches: 1s"))
        // Frozen just after it journaled an attempt of the second batch.
        XCTAssertTrue(h.waitFor(60, every: 0.005) { ((try? cluster.journal.attempts(planId: plan)) ?? []).count >= 3 })
        let pid = try XCTUnwrap(old.pid)
        kill(pid, SIGSTOP)
        let (new, _) = try cluster.waitLeader(other: old)
        XCTAssertTrue(new === cluster.nodes[1])
        XCTAssertEqual(cluster.waitPlanEnd(plan, timeout: 60), "succeeded", new.logText.suffix(3000).description)
        let callsBefore = try h.requests().filter { $0.call == "reboot" }.count
        // Continued: its timers are all due at once, and its lease is long gone.
        let readyBefore = old.logText.components(separatedBy: "rebootd ready").count
        kill(pid, SIGCONT)
        XCTAssertTrue(
            h.waitFor(20) { old.logText.components(separatedBy: "rebootd ready").count > readyBefore },
            "it steps down and starts again as a standby: \(old.logText.suffix(2000))")
        XCTAssertTrue(old.logText.contains("lost the lease (epoch"), old.logText.suffix(2000).description)
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, callsBefore, "the old leader sent no reboot call")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map(\.id), [], "every instance rebooted exactly once")
        XCTAssertEqual(cluster.planState(plan), "succeeded", "the stale leader wrote no plan state")
        XCTAssertTrue(try XCTUnwrap(cluster.leader()) === new)
    }

    func testACallHeldInFlightWhileTheLeaderLosesTheDatabaseIsNeverSentAgain() throws {
        let h = try Harness(name: "ha-lostdb")
        try h.startSim(["--instances", "3", "--seed", "33", "--reboot-min", "6", "--reboot-max", "6.5"])
        let cluster = try Cluster(harness: h, nodes: 2, extraConfig: Self.slowReboots, relayed: true)
        try cluster.start(cluster.nodes[0])
        let (old, _) = try cluster.waitLeader()
        try cluster.start(cluster.nodes[1])
        let ids = try h.adminState().map(\.id)
        // The first reboot is applied at once, and its answer held for 6 s.
        try h.setFault(#"{"call": "reboot", "kind": "hang", "seconds": 6, "count": 1}"#)
        let plan = try cluster.submit(old, "lost.yaml", Harness.planYAML(ids, "batchSize: 1"))
        XCTAssertTrue(h.waitFor(30, every: 0.02) { ((try? h.adminState()) ?? []).contains { $0.reboots > 0 } })
        let first = try XCTUnwrap(try h.adminState().first { $0.reboots > 0 }?.id)
        try cluster.cutDatabase(old)
        let (new, _) = try cluster.waitLeader(other: old)
        XCTAssertTrue(new === cluster.nodes[1])
        XCTAssertEqual(cluster.waitPlanEnd(plan, timeout: 90), "succeeded", new.logText.suffix(3000).description)
        // The held call is logged when it is answered, 6 s after it was applied.
        XCTAssertTrue(h.waitFor(10) { ((try? h.requests()) ?? []).contains { $0.call == "reboot" && $0.ids.contains(first) } })
        let calls = try h.requests().filter { $0.call == "reboot" && $0.ids.contains(first) }
        XCTAssertEqual(calls.count, 1, "one call for \(first), the held one")
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map(\.id), [])
        // The old leader started again as a standby, and waits for the database rather than
        // exiting (exits would soon reach systemd's start limit); back, it stands by.
        XCTAssertTrue(h.waitFor(20) { old.logText.contains("a standby waits for it") }, old.logText.suffix(2000).description)
        XCTAssertNotNil(old.pid, "still running")
        // The service group ignores SIGTERM, SIGINT and SIGHUP to watch them; an ignored signal
        // survives execv, and the new image traps them only once it runs: until then
        // `systemctl stop` must still end it.
        let ignored = try XCTUnwrap(cluster.ignoredSignals(old))
        XCTAssertEqual(ignored & (1 << (SIGTERM - 1) | 1 << (SIGINT - 1) | 1 << (SIGHUP - 1)), 0, String(ignored, radix: 16))
        let ready = cluster.readyCount(old)
        try cluster.restoreDatabase(old)
        XCTAssertTrue(h.waitFor(20) { cluster.readyCount(old) > ready }, old.logText.suffix(2000).description)
        XCTAssertTrue(try XCTUnwrap(cluster.leader()) === new, "the new leader keeps the lease")
    }

    func testThreeDaemonsStartedAtOnceHaveOneLeaderPerEpochAndEpochsRise() throws {
        let h = try Harness(name: "ha-three")
        try h.startSim(["--instances", "2", "--seed", "34"])
        let cluster = try Cluster(harness: h, nodes: 3, extraConfig: Self.fastCalls)
        let before = try cluster.nodes.map { try cluster.launch($0) }
        for (node, count) in zip(cluster.nodes, before) { try cluster.waitReady(node, after: count) }
        var observed: [Int64] = []
        var (leader, _) = try cluster.waitLeader()
        observed.append(try cluster.lease().epoch)
        cluster.kill9(leader)
        (leader, _) = try cluster.waitLeader(other: leader)
        observed.append(try cluster.lease().epoch)
        if let p = leader.process { kill(p.processIdentifier, SIGTERM) }
        (leader, _) = try cluster.waitLeader(other: leader)
        observed.append(try cluster.lease().epoch)
        XCTAssertEqual(zip(observed, observed.dropFirst()).filter { $0 >= $1 }.count, 0, "epochs strictly rise: \(observed)")
        let taken = cluster.epochsTaken()
        XCTAssertEqual(Dictionary(grouping: taken, by: \.0).filter { $0.value.count > 1 }.keys.sorted(), [], "one leader per epoch: \(taken)")
        XCTAssertGreaterThanOrEqual(taken.count, 3, "\(taken)")
        XCTAssertTrue(Set(observed).isSubset(of: Set(taken.map(\.0))), "each epoch seen in the database was logged by its leader")
    }

    func testSIGTERMOfTheLeaderWithCallsInFlightHandsOverWithinASecondWithNothingInDoubt() throws {
        let h = try Harness(name: "ha-sigterm")
        try h.startSim(["--instances", "8", "--seed", "35", "--reboot-min", "1", "--reboot-max", "1.5", "--latency-ms", "400"])
        let cluster = try Cluster(harness: h, nodes: 2, lease: (15, 3, 2), extraConfig: Self.fastCalls + "shutdownGrace: 5s\n")
        try cluster.start(cluster.nodes[0])
        let (old, _) = try cluster.waitLeader()
        try cluster.start(cluster.nodes[1])
        let ids = try h.adminState().map(\.id)
        let plan = try cluster.submit(old, "term.yaml", Harness.planYAML(ids, "batchSize: 4"))
        // Calls in flight: sent, not yet answered (the simulator answers after 400 ms).
        XCTAssertTrue(h.waitFor(30, every: 0.01) { ((try? cluster.journal.attempts(planId: plan)) ?? []).contains { $0.outcome == nil } })
        let process = try XCTUnwrap(old.process)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let exited = Date()
        XCTAssertEqual(process.terminationStatus, 0)
        let (new, seen) = try cluster.waitLeader(other: old, timeout: 10)
        print("ha-sigterm: a new leader \(String(format: "%.2f", seen.timeIntervalSince(exited))) s after the old one's exit")
        // The standby heard the hand-over (NOTIFY), not the lease's 15 s expiry.
        XCTAssertLessThan(seen.timeIntervalSince(exited), 1, "led within a second of the old leader's exit")
        let attempts = try cluster.journal.attempts(planId: plan)
        XCTAssertEqual(attempts.filter { $0.outcome == nil || $0.outcome == "in-doubt" }.count, 0, "nothing in doubt at the hand-over")
        XCTAssertEqual(cluster.waitPlanEnd(plan, timeout: 60), "succeeded", new.logText.suffix(3000).description)
        XCTAssertEqual(try h.adminState().filter { $0.reboots != 1 }.map(\.id), [])
    }
}

/// What a standby serves (SPEC §4.16): its spool and `rebootctl`; and `rebootd_leader{host}`.
extension HighAvailabilityEndToEndTests {
    func testAStandbyTakesPlansAndControlsIntoTheSharedJournalAndTheLeaderAppliesThem() throws {
        let h = try Harness(name: "ha-standby")
        try h.startSim(["--instances", "4", "--seed", "36", "--reboot-min", "0.5", "--reboot-max", "1"])
        let cluster = try Cluster(harness: h, nodes: 2, extraConfig: Self.fastCalls)
        try cluster.start(cluster.nodes[0])
        let (leader, _) = try cluster.waitLeader()
        let standby = cluster.nodes[1]
        try cluster.start(standby)
        let ids = try h.adminState().map(\.id)
        let plan = try cluster.submit(standby, "slow.yaml", Harness.planYAML(ids, "batchSize: 2\npauseBetweenBatches: 1m"))
        XCTAssertTrue(h.waitFor(30) { ((try? h.adminState()) ?? []).filter { $0.reboots > 0 }.count == 2 }, "the leader runs it")
        // rebootctl on the standby reads the shared journal, and its cancel reaches the leader.
        let status = try cluster.ctl(standby, ["status", plan, "--json"])
        XCTAssertEqual(status.status, 0, status.out)
        XCTAssertTrue(status.out.contains("\"running\""), status.out)
        // The operator's last word wins across hosts (rule 4.10): a pause dropped at the standby,
        // then a resume dropped at the leader, leave the plan running.
        try cluster.dropControl(standby, plan: plan, verb: "pause")
        XCTAssertTrue(h.waitFor(10) { ((try? cluster.journal.controls(planId: plan)) ?? []).contains { $0.verb == "pause" } })
        try cluster.dropControl(leader, plan: plan, verb: "resume")
        XCTAssertTrue(
            h.waitFor(10) {
                ((try? cluster.journal.controls(planId: plan)) ?? []).filter { $0.result != PostgresJournal.pendingControl }.count == 2
            })
        XCTAssertEqual(cluster.planState(plan), "running", "applied in the order written: \((try? cluster.journal.controls(planId: plan)) ?? [])")
        let cancel = try cluster.ctl(standby, ["cancel", plan])
        XCTAssertEqual(cancel.status, 0, cancel.out)
        XCTAssertTrue(cancel.out.contains("applied: cancelling"), "the leader's answer, not the standby's: \(cancel.out)")
        XCTAssertEqual(cluster.waitPlanEnd(plan, timeout: 20), "cancelled")
        let controls = try cluster.journal.controls(planId: plan)
        XCTAssertEqual(controls.map(\.verb), ["pause", "resume", "cancel"])
        XCTAssertNotEqual(controls.first?.result, PostgresJournal.pendingControl)
        // rebootd_leader{host}: 1 on the leader, 0 on the standby.
        func leaderGauge(_ node: Cluster.Node) -> String? {
            ((try? String(contentsOf: node.metrics, encoding: .utf8)) ?? "").split(separator: "\n")
                .first { $0.hasPrefix("rebootd_leader{") }.flatMap { $0.split(separator: " ").last.map(String.init) }
        }
        XCTAssertTrue(h.waitFor(10) { leaderGauge(leader).flatMap(Double.init) == 1 && leaderGauge(standby).flatMap(Double.init) == 0 })
    }
}
