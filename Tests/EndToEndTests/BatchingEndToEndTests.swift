import BCCSimulator
import Foundation
import XCTest

/// SPEC §4.1–4.3 from what the simulator saw: batch order and sizes, canary, pauses, the rate
/// limit, confirmation by describe-many.
final class BatchingEndToEndTests: XCTestCase {
    func testCanaryBatchesPausesAndRateLimit() throws {
        let h = try Harness(name: "batches")
        try h.startSim(["--instances", "24", "--seed", "5", "--reboot-min", "0.5", "--reboot-max", "1"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 6, burst: 2 }\npollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("canary.yaml", Harness.planYAML(ids, "batchSize: [1, 3, \"25%\"]\npauseBetweenBatches: 1500ms"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 90), "succeeded")

        let log = try h.requests()
        let reboots = log.filter { $0.call == "reboot" && $0.status == 200 }.sorted { $0.start < $1.start }
        XCTAssertEqual(Set(reboots.map { $0.ids[0] }), Set(ids))
        XCTAssertEqual(reboots.count, ids.count, "rebooted once each")
        // File order, except for calls sent together (a burst) that may arrive swapped.
        for (a, b) in zip(reboots, reboots.dropFirst()) where b.start - a.start > 0.05 {
            XCTAssertLessThan(ids.firstIndex(of: a.ids[0])!, ids.firstIndex(of: b.ids[0])!, "file order")
        }
        XCTAssertTrue(try h.adminState().allSatisfy { $0.reboots == 1 })

        // Batches 1, 3, 6, 6, 6, 2: the next batch starts only after every instance of the
        // previous one was seen Running by a poll, plus the pause.
        let sizes = [1, 3, 6, 6, 6, 2]
        var start = 0
        var previousDone: Double?
        for size in sizes {
            let batch = Set(ids[start..<start + size])
            let calls = reboots.filter { batch.contains($0.ids[0]) }
            XCTAssertEqual(calls.count, size)
            let firstCall = try XCTUnwrap(calls.map(\.start).min())
            if let done = previousDone {
                XCTAssertGreaterThanOrEqual(firstCall, done + 1.5 - 0.05, "pause respected before the batch at \(start)")
            }
            // No call of a later batch before this batch's last call.
            let laterIds = Set(ids[(start + size)...])
            XCTAssertFalse(log.contains { $0.call == "reboot" && laterIds.contains($0.ids.first ?? "") && $0.start < calls.map(\.start).max()! })
            // When a poll had seen every instance of the batch Running after its reboot.
            var seen: [String: Double] = [:]
            for entry in log where entry.call == "describeMany" {
                for (id, status) in entry.before where batch.contains(id) && status == "Running" {
                    if let call = calls.first(where: { $0.ids[0] == id }), entry.start >= call.end, seen[id] == nil { seen[id] = entry.end }
                }
            }
            XCTAssertEqual(seen.count, size, "each instance confirmed Running by a describe-many poll")
            previousDone = seen.values.max()
            start += size
        }

        // Rate limit: no one-second window holds more than rps + burst calls.
        let starts = log.map(\.start).sorted()
        var head = 0
        var most = 0
        for (i, t) in starts.enumerated() {
            while starts[head] <= t - 1 { head += 1 }
            most = max(most, i - head + 1)
        }
        XCTAssertLessThanOrEqual(most, 8, "rps 6 + burst 2")
        // Bulk polling: describe-many carried several ids at once.
        XCTAssertTrue(log.contains { $0.call == "describeMany" && $0.ids.count >= 3 })
        XCTAssertFalse(log.contains { $0.call == "describe" }, "no per-instance describe calls")
        XCTAssertTrue(log.allSatisfy(\.signatureVerified))
    }
    /// `maxActivePlans: 1`: the second plan waits, queued, and starts when the first ends, with
    /// nothing else to wake the daemon (it waited until the next submit or control before).
    /// Each instance is rebooted once, and no call of the second plan precedes the first's end.
    func testAQueuedPlanStartsWhenTheOnlyActivePlanEnds() throws {
        let h = try Harness(name: "queued")
        try h.startSim(["--instances", "4", "--seed", "9", "--reboot-min", "0.3", "--reboot-max", "0.6"])
        try h.writeConfig("maxActivePlans: 1\npollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let first = try h.submit("first.yaml", Harness.planYAML(Array(ids.prefix(2)), "batchSize: 1"))
        let second = try h.submit("second.yaml", Harness.planYAML(Array(ids.suffix(2)), "batchSize: 1"))
        XCTAssertEqual(try h.waitPlanEnd(first, timeout: 30), "succeeded")
        XCTAssertEqual(try h.waitPlanEnd(second, timeout: 30), "succeeded", "the queued plan started when the slot freed")
        let reboots = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }
        XCTAssertEqual(reboots.map { $0.ids[0] }.sorted(), ids.sorted(), "rebooted once each")
        let firstEnd = try XCTUnwrap(reboots.filter { ids.prefix(2).contains($0.ids[0]) }.map(\.end).max())
        XCTAssertTrue(reboots.filter { ids.suffix(2).contains($0.ids[0]) }.allSatisfy { $0.start > firstEnd }, "one plan at a time")
        XCTAssertTrue(try h.adminState().allSatisfy { $0.reboots == 1 })
    }
}
