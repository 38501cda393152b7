import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.15: each event carries the plan's `ticket` and the host name, in the `json` schema
/// (optional keys: version 1 still) and in the one line the chat formats send.
final class NotificationTicketTests: XCTestCase {
    /// The host name as the system gives it, read here independently of rebootd.
    static let systemHost: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(gethostname(&buffer, buffer.count - 1), 0)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    static func event(ticket: String?) -> PlanNotification {
        PlanNotification(
            event: .planFinished, planId: "20261128T010000Z-web", planName: "web", state: "failed", batchCount: 3,
            counts: ["rebooted": 2, "failed": 1], instances: 3, reason: "failure budget exceeded", ticket: ticket,
            time: "2026-11-28T01:00:00.000Z")
    }

    func json(_ n: PlanNotification) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: NotificationFormat.body(n, format: .json)) as? [String: Any])
    }

    func testTheHostIsTheSystemsHostName() {
        XCTAssertFalse(Self.systemHost.isEmpty)
        XCTAssertEqual(HostName.current, Self.systemHost)
        XCTAssertEqual(Self.event(ticket: nil).host, Self.systemHost, "a notification names its host by default")
    }

    func testTheJSONCarriesTicketAndHostAndLeavesOutAMissingTicket() throws {
        let with = try json(Self.event(ticket: "CHG-20261128-042"))
        XCTAssertEqual(with["ticket"] as? String, "CHG-20261128-042")
        XCTAssertEqual(with["host"] as? String, Self.systemHost)
        XCTAssertEqual(with["version"] as? Int, 1, "optional keys added: the version stays")
        let without = try json(Self.event(ticket: nil))
        XCTAssertNil(without["ticket"], "keys without a value are left out")
        XCTAssertEqual(without["host"] as? String, Self.systemHost)
    }

    func testTheOneLineNamesTheHostAndTheTicketWhenThereIsOne() throws {
        func slack(_ n: PlanNotification) throws -> String {
            let body = try XCTUnwrap(JSONSerialization.jsonObject(with: NotificationFormat.body(n, format: .slack)) as? [String: String])
            return try XCTUnwrap(body["text"])
        }
        let host = NotificationFormat.slackEscaped(Self.systemHost)
        XCTAssertEqual(
            try slack(Self.event(ticket: "CHG-42")),
            "rebootd@\(host): plan 20261128T010000Z-web (ticket CHG-42) ended failed: failure budget exceeded (2 rebooted, 1 failed)")
        XCTAssertEqual(
            try slack(Self.event(ticket: nil)),
            "rebootd@\(host): plan 20261128T010000Z-web ended failed: failure budget exceeded (2 rebooted, 1 failed)")
        XCTAssertEqual(
            try slack(Self.event(ticket: "<!channel> & co")),
            "rebootd@\(host): plan 20261128T010000Z-web (ticket &lt;!channel&gt; &amp; co) ended failed: "
                + "failure budget exceeded (2 rebooted, 1 failed)", "a ticket mentions no one either")
        let ding = try XCTUnwrap(
            JSONSerialization.jsonObject(with: NotificationFormat.body(Self.event(ticket: "CHG-42"), format: .dingtalk)) as? [String: Any])
        let text = try XCTUnwrap((ding["markdown"] as? [String: String])?["text"])
        XCTAssertTrue(text.contains("(ticket CHG-42)"), text)
        XCTAssertTrue(text.contains("- host: \(Self.systemHost)"), text)
    }

    /// Every event of a running plan (accepted, started, batches, the end) carries its ticket.
    func testEveryEventOfARunningPlanCarriesItsTicketAndTheHost() throws {
        let ids = SchedulerHarness.ids(4)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.statuses["i-0004"] = .stopped
        let plan = try h.submit(SchedulerHarness.plan(ids) { $0.ticket = "CHG-7 kernel" })
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let events = h.events.all
        XCTAssertEqual(events.map(\.event), [.planAccepted, .planStarted, .batchFinished, .batchFinished, .planFinished])
        XCTAssertEqual(events.map(\.ticket), Array(repeating: "CHG-7 kernel", count: 5))
        XCTAssertEqual(Set(events.map(\.host)), [Self.systemHost])
        let other = try h.submit(SchedulerHarness.plan(["i-0001"]) { $0.name = "untagged" })
        XCTAssertTrue(h.run(for: 60) { h.finished(other) })
        XCTAssertEqual(h.events.all.filter { $0.planId == other }.map(\.ticket), [nil, nil, nil, nil])
    }

    /// A plan that is not running (cancelled while queued, parameters that cannot be decoded)
    /// is announced from its journal record: the ticket comes from there.
    func testAStoredPlansEventsCarryTheJournaledTicket() {
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var got: [PlanNotification] = []
        }
        let box = Box()
        let events = PlanEvents(post: { n in box.lock.withLock { box.got.append(n) } }, wall: { Date(timeIntervalSince1970: 1_800_000_000) })
        var record = PlanRecord(
            id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "s", submitterUid: 0, submitterName: "root",
            submittedAt: "t", state: "queued", parameters: "", instanceCount: 2, batchCount: 1, currentBatch: -1, updatedAt: "t")
        record.ticket = "INC-1"
        events.emitStored(.planFinished, record, state: .cancelled, instancesIn: .cancelled, reason: "cancelled")
        record.ticket = nil
        events.emitStored(.planFinished, record, state: .cancelled, instancesIn: .cancelled, reason: "cancelled")
        var plan = Plan(name: "p", instances: ["i-a"], batchSize: .fixed(.count(1)))
        plan.ticket = "INC-2"
        events.emitAccepted(record, plan: plan)
        XCTAssertEqual(box.got.map(\.ticket), ["INC-1", nil, "INC-2"])
        XCTAssertEqual(Set(box.got.map(\.host)), [Self.systemHost])
    }
}
