import BCCSimulator
import Foundation
import XCTest

/// SPEC §4.4–4.6 over the real binaries: 409 retry only after Running, faults, failure budget.
final class ConflictAndFaultEndToEndTests: XCTestCase {
    func test409IsRetriedOnlyAfterTheSimulatorHadTheInstanceRunning() throws {
        let h = try Harness(name: "conflict")
        try h.startSim(["--instances", "10", "--seed", "9", "--reboot-min", "0.5", "--reboot-max", "1"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 20, burst: 5 }\npollInterval: 500ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        // The batch's read sees every instance Running (SPEC §4.1); then something else starts
        // three of them just as their reboot arrives: 409, Starting for 3 s.
        try h.setFault(#"{"call": "reboot", "kind": "busy", "seconds": 3, "count": 3}"#)
        let plan = try h.submit("busy.yaml", Harness.planYAML(ids, "batchSize: 10"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "succeeded")

        let log = try h.requests()
        let conflicts = log.filter { $0.call == "reboot" && $0.status == 409 }
        XCTAssertEqual(Set(conflicts.map { $0.ids[0] }).count, 3, "three instances were busy at their call")
        for refused in conflicts {
            let id = refused.ids[0]
            let retry = try XCTUnwrap(log.first { $0.call == "reboot" && $0.ids == [id] && $0.start > refused.end })
            XCTAssertEqual(retry.before[id], "Running", "the retry reached a Running instance")
            // A poll after the 409 saw it Running before the retry was sent.
            XCTAssertTrue(
                log.contains { $0.call == "describeMany" && $0.before[id] == "Running" && $0.start >= refused.end && $0.end <= retry.start },
                "retry of \(id) came only after a poll saw it Running")
            // And the first poll after the 409 came at once (not a pollInterval later).
            let firstPoll = try XCTUnwrap(
                log.filter { $0.call == "describeMany" && $0.ids.contains(id) && $0.start >= refused.end }.map(\.start).min())
            XCTAssertLessThan(firstPoll - refused.end, 0.4)
        }
        XCTAssertTrue(try h.adminState().allSatisfy { $0.reboots == 1 })
        let status = try h.planStatus(plan)
        XCTAssertEqual(status.instances.filter { $0.attempts == 2 }.count, 3)
    }

    func testFaultsStillGiveEveryInstanceExactlyOneAcceptedReboot() throws {
        let h = try Harness(name: "faults")
        try h.startSim([
            "--instances", "60", "--seed", "3", "--error-rate", "0.1", "--qps-limit", "12",
            "--hang-rate", "0.05", "--hang-seconds", "3", "--reboot-min", "2", "--reboot-max", "3",
        ])
        try h.writeConfig(
            """
            rateLimit: { requestsPerSecond: 20, burst: 10 }
            pollInterval: 500ms
            requestTimeout: 1s
            minRebootTime: 2s
            retry: { maxAttempts: 8, baseDelay: 100ms, maxDelay: 1s }

            """)
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        // Faults that certainly happen, besides the drawn ones: two 500s on reads and on
        // reboot calls, and two reboot answers held past the 1 s deadline (calls in doubt).
        try h.setFault(#"{"call": "describeMany", "kind": "error", "status": 500, "count": 2}"#)
        try h.setFault(#"{"call": "reboot", "kind": "error", "status": 500, "count": 2}"#)
        try h.setFault(#"{"call": "reboot", "kind": "hang", "seconds": 3, "count": 2}"#)
        // Under this much throttling a call in doubt can meet a gap in its status evidence longer
        // than minRebootTime: it then ends failed (in-doubt), never re-sent (SPEC §4.8). So the
        // budget lets the plan go on, and the point is judged from what the simulator saw.
        let plan = try h.submit("faulty.yaml", Harness.planYAML(ids, "batchSize: 15\nmaxFailures: \"100%\""))
        XCTAssertTrue(["succeeded", "failed"].contains(try h.waitPlanEnd(plan, timeout: 120)), "the plan ended")
        let state = try h.adminState()
        XCTAssertEqual(state.filter { $0.reboots != 1 }.map(\.id), [], "exactly one accepted reboot each")
        let failed = try h.planStatus(plan).instances.filter { $0.state != "rebooted" }
        XCTAssertEqual(
            failed.filter { $0.lastError != "in-doubt" }.map { "\($0.id): \($0.state) \($0.lastError ?? "")" }, [],
            "anything not rebooted is a call in doubt whose evidence had a gap")
        let log = try h.requests()
        XCTAssertTrue(
            log.contains { $0.status == 500 },
            "faults were injected: \(Dictionary(grouping: log, by: { "\($0.call) \($0.status)" }).mapValues(\.count))")
        XCTAssertTrue(log.contains { $0.status == 429 }, "throttling was injected")
        XCTAssertTrue(log.contains { $0.end - $0.start >= 2.9 }, "a call hung past the 1 s deadline")
        let prom = try String(contentsOf: h.dir.appendingPathComponent("rebootd.prom"), encoding: .utf8)
        XCTAssertTrue(prom.contains("rebootd_throttled_total"))
    }

    func testFailureBudgetHaltsAndLaterBatchesAreNeverCalled() throws {
        let h = try Harness(name: "budget")
        let ids = (1...12).map { String(format: "i-budget%02d", $0) }
        try h.startSimWithOneErrorInstance(ids, stuckIndex: 1, rebootSeconds: 0.5...1)
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let plan = try h.submit("budget.yaml", Harness.planYAML(ids, "batchSize: 3\nmaxFailures: 0"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "failed")
        // The batch's read found ids[1] in Error (SPEC §4.1): failed without a call, and the
        // budget of 0 halted the plan before any call at all.
        let called = Set(try h.requests().filter { $0.call == "reboot" }.flatMap(\.ids))
        XCTAssertEqual(called.sorted(), [], "the halt came with the batch's read, before any call")
        let status = try h.planStatus(plan)
        XCTAssertEqual(status.instances.first { $0.id == ids[1] }?.state, "failed")
        XCTAssertEqual(status.instances.filter { !ids[0..<3].contains($0.id) }.map(\.state), Array(repeating: "skipped", count: 9))
    }
}
