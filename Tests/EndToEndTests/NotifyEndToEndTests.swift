import BCCSimulator
import Foundation
import XCTest

/// Notifications (SPEC §4.15) with the real binaries: every event of a plan in order with its
/// counts, retries for a receiver that answers 500, a hanging receiver that delays nothing,
/// and a tokened URL that reaches no log, journal or metrics.
final class NotifyEndToEndTests: XCTestCase {
    static let token = "E2E-HOOK-TOKEN-5e3f"

    func testReceiversGetEveryEventInOrderAndNoneDelaysTheBatches() throws {
        let h = try Harness(name: "notify")
        let web = WebFixture()
        try web.start()
        defer { web.stop() }
        web.setHook("flaky", .failFirst(2))
        web.setHook("stuck", .hang)
        let urlFile = h.dir.appendingPathComponent("hook-url")
        try "\(web.base)/hook/ding?access_token=\(Self.token)\n".write(to: urlFile, atomically: true, encoding: .utf8)
        chmod(urlFile.path, 0o600)

        try h.startSim(["--instances", "6", "--seed", "21", "--reboot-min", "0.3", "--reboot-max", "0.6"])
        let ids = try h.adminState().map(\.id)
        try h.writeConfig(
            """
            pollInterval: 300ms
            requestTimeout: 2s
            inDoubtMaxGap: 10s
            notify:
              - url: \(web.base)/hook/all?token=\(Self.token)
                name: all
              - url: \(web.base)/hook/flaky?token=\(Self.token)
                name: flaky
                events: [plan-started, plan-finished]
              - url: \(web.base)/hook/stuck?token=\(Self.token)
                format: slack
              - urlFile: \(urlFile.path)
                format: dingtalk
                events: [plan-finished]
            """)
        try h.startDaemon()
        let started = Date()
        let plan = try h.submit("notified.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 40), "succeeded")
        let took = Date().timeIntervalSince(started)

        // A hanging receiver delays no batch: 3 batches of sub-second reboots end long before
        // the first POST to it could even time out twice.
        XCTAssertLessThan(took, 15, "the plan took \(took) s")
        let reboots = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.sorted { $0.start < $1.start }
        XCTAssertEqual(reboots.count, 6)
        for (a, b) in zip(reboots, reboots.dropFirst()) { XCTAssertLessThan(b.start - a.start, 5, "no gap waiting for a receiver") }

        struct Event: Decodable {
            let version: Int
            let event: String
            let planId: String
            let planName: String
            let state: String
            let batch: Int?
            let counts: [String: Int]
            let instances: Int
        }
        XCTAssertTrue(h.waitFor(10) { web.received("all").count == 6 })
        let all = try web.received("all").map { try JSONDecoder().decode(Event.self, from: $0.body) }
        XCTAssertEqual(all.map(\.event), ["plan-accepted", "plan-started", "batch-finished", "batch-finished", "batch-finished", "plan-finished"])
        XCTAssertEqual(all.map(\.batch), [nil, 1, 1, 2, 3, nil])
        XCTAssertTrue(all.allSatisfy { $0.version == 1 && $0.planId == plan && $0.planName == "notified" && $0.instances == 6 })
        XCTAssertEqual(all[2].counts["rebooted"], 2)
        XCTAssertEqual(all[4].counts["rebooted"], 6)
        XCTAssertEqual(all.last?.state, "succeeded")
        XCTAssertEqual(all.last?.counts, ["rebooted": 6])

        // The flaky receiver answered 500 twice: the first event came three times, then the next.
        XCTAssertTrue(h.waitFor(15) { web.received("flaky").count == 4 }, "retried with backoff: \(web.received("flaky").count)")
        let flaky = try web.received("flaky").map { try JSONDecoder().decode(Event.self, from: $0.body).event }
        XCTAssertEqual(flaky, ["plan-started", "plan-started", "plan-started", "plan-finished"])
        let flakyTimes = web.received("flaky").map(\.at)
        // Exponential backoff from 1 s: the second wait is at least 2 s, the first at least 1 s
        // (lower bounds only: a loaded machine stretches both).
        XCTAssertGreaterThanOrEqual(flakyTimes[1].timeIntervalSince(flakyTimes[0]), 0.95, "first retry after 1 s")
        XCTAssertGreaterThanOrEqual(flakyTimes[2].timeIntervalSince(flakyTimes[1]), 1.95, "backoff grows: second retry after 2 s")

        // The stuck receiver holds every POST past requestTimeout: its first event is tried
        // again and again, and nothing after it was sent.
        let stuck = web.received("stuck").map { String(decoding: $0.body, as: UTF8.self) }
        XCTAssertGreaterThanOrEqual(stuck.count, 1)
        XCTAssertEqual(Set(stuck).count, 1, "still the first event")
        XCTAssertTrue(stuck[0].contains("accepted"), stuck[0])
        XCTAssertNotNil((try JSONSerialization.jsonObject(with: web.received("stuck")[0].body) as? [String: Any])?["text"], "slack: a text message")
        // The urlFile target got only what it asked for, as DingTalk markdown.
        XCTAssertTrue(h.waitFor(5) { web.received("ding").count == 1 })
        let ding = try XCTUnwrap(JSONSerialization.jsonObject(with: web.received("ding")[0].body) as? [String: Any])
        XCTAssertEqual(ding["msgtype"] as? String, "markdown")

        sleep(3)  // the metrics file is rewritten every 10 s and at exit
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(20), 0)
        let metrics = try String(contentsOf: h.dir.appendingPathComponent("rebootd.prom"), encoding: .utf8)
        XCTAssertTrue(metrics.contains(#"rebootd_notifications_total{target="flaky",outcome="failed"} 2"#), metrics)
        XCTAssertTrue(metrics.contains(#"rebootd_notifications_total{target="all",outcome="delivered"} 6"#), metrics)
        XCTAssertTrue(metrics.contains(#"rebootd_notifications_total{target="3",outcome="delivered"} 1"#), metrics)

        // The tokened URLs appear nowhere an operator or a scraper reads.
        let log = try String(contentsOf: h.daemonLog, encoding: .utf8)
        XCTAssertFalse(log.contains(Self.token), "daemon log")
        XCTAssertFalse(log.contains("/hook/"), "daemon log names targets by label, not URL")
        XCTAssertFalse(metrics.contains(Self.token))
        let dump = try GateEndToEndTests.sql(h, "SELECT * FROM plans; SELECT * FROM plan_events; SELECT * FROM controls;").joined()
        XCTAssertFalse(dump.contains(Self.token), "journal")
        XCTAssertFalse(web.allBodies.contains(Self.token), "nor in what the receivers got")
        XCTAssertTrue(log.contains("notification not delivered; retrying"), "the failures are logged, by label")
        // The stuck receiver's events were still queued at exit: lost, and said so.
        XCTAssertTrue(log.contains("notifications dropped at exit"), "events lost at exit are logged")
        let dropped = metrics.split(separator: "\n").first { $0.hasPrefix(#"rebootd_notifications_total{target="2",outcome="dropped"} "#) }
        XCTAssertGreaterThanOrEqual(
            dropped.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0, 1,
            "the stuck target's dropped events are counted: \(dropped ?? "no such line")")
    }
}
