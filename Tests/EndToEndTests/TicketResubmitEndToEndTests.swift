import Foundation
import XCTest

/// Issue 26 with the real binaries: a plan's `ticket` reaches `status` (JSON and text) and every
/// notification, with the host name (SPEC §4.15, §7); and `rebootctl resubmit` of a plan with a
/// failure writes a plan that `validate` accepts, holding exactly the instances that did not
/// reboot, in their order, with a ticket pointing back (SPEC §7).
final class TicketResubmitEndToEndTests: XCTestCase {
    static let ticket = "CHG-E2E-77 kernel \"fix\" — 变更"

    /// The system's host name, read by the test itself.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = gethostname(&buffer, buffer.count - 1)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The `- i-…` lines of a plan file the resubmit wrote, in order.
    static func instances(ofPlan text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("  - ") }.map { line in
            String(line.dropFirst(4).prefix { $0 != " " })
        }
    }

    func testTheTicketTravelsAndResubmitWritesExactlyTheLeftovers() throws {
        let h = try Harness(name: "ticket")
        let web = WebFixture()
        try web.start()
        defer { web.stop() }
        let ids = (1...6).map { String(format: "i-ticket%02d", $0) }
        // Batch 2's read finds ids[2] in Error: it fails, the budget of 0 halts the plan, and
        // ids[3...] are skipped. ids[0] and ids[1] reboot.
        try h.startSimWithOneErrorInstance(ids, stuckIndex: 2, rebootSeconds: 0.2...0.4)
        try h.writeConfig(
            """
            pollInterval: 300ms
            notify:
              - url: \(web.base)/hook/all
                name: all
            """)
        try h.startDaemon()
        let yaml = "ticket: '\(Self.ticket)'\nbatchSize: 2\nmaxFailures: 0"
        let plan = try h.submit("tick.yaml", Harness.planYAML(ids, yaml))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "failed")

        // status PLAN --json: the ticket, and each instance's zone (a mixed plan of listed ids learns none) and reason.
        let detail = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try h.ctl(["status", plan, "--json"]).out.utf8)) as? [String: Any])
        XCTAssertEqual(detail["ticket"] as? String, Self.ticket)
        let rows = try XCTUnwrap(detail["instances"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["state"] as? String }, ["rebooted", "rebooted", "failed", "skipped", "skipped", "skipped"])
        XCTAssertTrue(rows.allSatisfy { $0["zone"] is NSNull && $0["lastError"] != nil }, "zone and lastError are there, null or not")
        XCTAssertTrue(rows[0]["reason"] is NSNull, "a rebooted instance has no reason")
        XCTAssertEqual(rows[2]["reason"] as? String, "instance status Error")
        XCTAssertEqual(rows[3]["reason"] as? String, "plan halted")
        XCTAssertTrue(try h.ctl(["status", plan]).out.contains("  ticket: \(Self.ticket)\n"), "the text shows it too")
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try h.ctl(["status", "--json"]).out.utf8)) as? [String: Any])
        XCTAssertEqual(((list["plans"] as? [[String: Any]])?.first)?["ticket"] as? String, Self.ticket)

        // Every notification carries the ticket and the host.
        XCTAssertTrue(h.waitFor(10) { web.received("all").contains { String(decoding: $0.body, as: UTF8.self).contains("plan-finished") } })
        let events = try web.received("all").map { try XCTUnwrap(JSONSerialization.jsonObject(with: $0.body) as? [String: Any]) }
        XCTAssertEqual(events.first?["event"] as? String, "plan-accepted")
        XCTAssertGreaterThanOrEqual(events.count, 4)
        for e in events {
            XCTAssertEqual(e["ticket"] as? String, Self.ticket, "\(e)")
            XCTAssertEqual(e["host"] as? String, Self.hostName, "\(e)")
        }

        // resubmit -o: a plan validate accepts, of exactly the leftovers, pointing back.
        let file = h.dir.appendingPathComponent("retry.yaml").path
        let written = try h.ctl(["resubmit", plan, "-o", file])
        XCTAssertEqual(written.status, 0, written.out)
        XCTAssertTrue(written.out.contains("4 instances (1 failed, 3 skipped)"), written.out)
        let validated = try h.ctl(["validate", file])
        XCTAssertEqual(validated.status, 0, validated.out)
        XCTAssertTrue(validated.out.contains("plan \"tick-retry\", 4 instances"), validated.out)
        XCTAssertTrue(validated.out.contains("  ticket: \(Self.ticket) (resubmit of \(plan))\n"), validated.out)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertEqual(Self.instances(ofPlan: text), Array(ids[2...]))
        XCTAssertTrue(text.contains("ticket: \"CHG-E2E-77 kernel \\\"fix\\\" — 变更 (resubmit of \(plan))\"\n"), text)
        XCTAssertTrue(text.contains("maxFailures: 0\n") && text.contains("batchSize: 2\n"), "the original's settings: \(text)")

        // To stdout, only the failed one; what is not there, and what cannot be written, say so.
        let failed = try h.ctl(["resubmit", plan, "--only", "failed"])
        XCTAssertEqual(failed.status, 0, failed.out)
        XCTAssertEqual(Self.instances(ofPlan: failed.out), [ids[2]])
        XCTAssertEqual(try h.ctl(["resubmit", plan, "--only", "cancelled"]).status, 65)
        XCTAssertEqual(try h.ctl(["resubmit", "no-such-plan"]).status, 66)
        XCTAssertEqual(try h.ctl(["resubmit", plan, "-o", h.dir.appendingPathComponent("no/dir/r.yaml").path]).status, 73)
        XCTAssertEqual(try h.ctl(["resubmit", plan, "--only", "rebooted"]).status, 64)

        // --submit hands it to the daemon, which journals it with the ticket pointing back.
        let submitted = try h.ctl(["resubmit", plan, "--submit"])
        XCTAssertEqual(submitted.status, 0, submitted.out)
        XCTAssertTrue(submitted.out.contains("accepted as"), submitted.out)
        let again = try XCTUnwrap(try h.plans().first { $0.name == "tick-retry" })
        let againDetail = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(try h.ctl(["status", again.id, "--json"]).out.utf8)) as? [String: Any])
        XCTAssertEqual(againDetail["ticket"] as? String, "\(Self.ticket) (resubmit of \(plan))")
        XCTAssertEqual((againDetail["instances"] as? [[String: Any]])?.map { $0["id"] as? String }, ids[2...].map { $0 })
    }
}
