import BCCSimulator
import Foundation
import XCTest

/// SPEC §2 `select`, `zones: one-at-a-time` and §7 `preview` (issue 26), against bcc-sim's fleet
/// in three zones, judged from bcc-sim's log.
final class SelectionEndToEndTests: XCTestCase {
    func testATagSelectionRollingOneZoneAtATimeNeverHasTwoZonesOutOfRunning() throws {
        let h = try Harness(name: "select")
        try h.startSim(["--instances", "30", "--seed", "27", "--reboot-min", "1", "--reboot-max", "2"])
        try h.writeConfig("rateLimit: { requestsPerSecond: 20, burst: 5 }\npollInterval: 300ms\n")
        try h.startDaemon()
        try h.requireDaemonUp()
        let fleet = try h.adminState()
        let web = fleet.filter { $0.tags?.contains("role:web") ?? false }
        XCTAssertEqual(Set(web.compactMap(\.zoneName)).count, 3, "the selection spans three zones")
        let plan = try h.submit(
            "web.yaml",
            "name: web\nselect: { tags: [\"role:web\"] }\nzones: one-at-a-time\nbatchSize: 2\npauseBetweenZones: 1s\n")
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 90), "succeeded")

        let after = try h.adminState()
        let webIds = Set(web.map(\.id))
        XCTAssertEqual(
            after.filter { $0.reboots != (webIds.contains($0.id) ? 1 : 0) }.map { "\($0.id): \($0.reboots)" }, [],
            "every selected instance rebooted once, no other instance at all")
        // Out of Running from its accepted call until the first answer that read it Running:
        // those spans of two zones never overlap.
        let zoneOf = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0.zoneName ?? "") })
        let log = try h.requests().sorted { $0.start < $1.start }
        var spans: [(zone: String, from: Double, to: Double)] = []
        for call in log where call.call == "reboot" && call.status == 200 {
            let id = try XCTUnwrap(call.ids.first)
            let back = log.first { $0.start > call.end && $0.call != "reboot" && $0.after[id] == "Running" }
            spans.append((zoneOf[id] ?? "", call.start, back?.end ?? .infinity))
        }
        XCTAssertEqual(spans.count, web.count)
        for a in spans {
            for b in spans where a.zone != b.zone {
                XCTAssertFalse(a.from < b.to && b.from < a.to, "\(a.zone) and \(b.zone) were out of Running at the same time")
            }
        }
        let lists = log.filter { $0.call != "reboot" && $0.ids.isEmpty }
        XCTAssertEqual(lists.count, 1, "select is resolved once, by one listing")
        struct Status: Decodable {
            struct I: Decodable {
                let id: String
                let zone: String?
            }
            let instances: [I]
        }
        let status = try JSONDecoder().decode(Status.self, from: Data(try h.ctl(["status", plan, "--json"]).out.utf8))
        XCTAssertEqual(status.instances.map { $0.zone ?? "" }, status.instances.map { zoneOf[$0.id] ?? "?" }, "status --json: each zone")
        let text = try h.ctl(["status", plan]).out
        XCTAssertTrue(text.contains("  zones:  1-"), "status shows the zone of each batch:\n\(text.prefix(600))")
        struct Report: Decodable {
            struct B: Decodable { let zones: [String] }
            let batches: [B]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(try h.ctl(["report", plan, "--json"]).out.utf8))
        XCTAssertEqual(report.batches.map(\.zones.count), Array(repeating: 1, count: report.batches.count), "the report: one zone a batch")
        XCTAssertEqual(Set(report.batches.flatMap(\.zones)).count, 3)
    }

    func testPreviewListsAnUnknownIdAndAStoppedInstanceExits65AndCallsNoReboot() throws {
        let h = try Harness(name: "preview")
        let fleet = h.dir.appendingPathComponent("fleet.txt")
        try "i-run1\ni-run2\ni-stop Stopped\n".write(to: fleet, atomically: true, encoding: .utf8)
        try h.startSim(["--fleet", fleet.path])
        try h.writeConfig()
        let file = h.dir.appendingPathComponent("p.yaml").path
        try "batchSize: 2\ninstances: [i-run1, i-gone, i-stop, i-run2]\n".write(toFile: file, atomically: true, encoding: .utf8)
        let out = try h.ctl(["preview", file])
        XCTAssertEqual(out.status, 65, out.out)
        XCTAssertTrue(out.out.contains("unknown to the API (skipped at once, NotFound): 1\n  i-gone"), out.out)
        XCTAssertTrue(out.out.contains("i-stop  Stopped"), out.out)
        let json = try h.ctl(["preview", file, "--json"])
        XCTAssertEqual(json.status, 65)
        struct P: Decodable {
            struct N: Decodable {
                let id: String
                let status: String
            }
            let unknown: [String]
            let notRunning: [N]
            let instances: [String]
        }
        let p = try JSONDecoder().decode(P.self, from: Data(json.out.utf8))
        XCTAssertEqual(p.unknown, ["i-gone"])
        XCTAssertEqual(p.notRunning.map(\.id), ["i-stop"])
        XCTAssertEqual(p.instances, ["i-run1", "i-gone", "i-stop", "i-run2"])
        let log = try h.requests()
        XCTAssertFalse(log.isEmpty, "the preview read the API")
        XCTAssertEqual(log.filter { $0.method != "GET" }.count, 0, "read calls only: no reboot")
        try "batchSize: 2\ninstances: [i-run1, i-run2]\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try h.ctl(["preview", file]).status, 0, "a plan whose instances are all known and Running")
    }
}
