import Foundation
import XCTest

@testable import RebootCore

/// The report's limits, from the second review: size at the worst shapes (100,000 batches of
/// one, long gate waits, many retries, long messages), priority of halts and controls, escaping
/// of everything the journal holds, and the journal-time parser the report leans on.
final class PlanReportLimitsTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ s: Double) -> String { JournalTime.format(t0 + s) }

    func record(_ n: Int, name: String = "big", batch: Int = 1, submitter: String = "ops", file: String = "big.yaml") throws -> PlanRecord {
        var plan = Plan(name: name, instances: (0..<n).map { String(format: "i-%08d", $0) }, batchSize: .fixed(.count(batch)))
        plan.healthGates = ["quorum"]
        return PlanRecord(
            id: "20261128T000000Z-\(name)", name: name, sourceFile: file, format: "yaml", sha256: "00", submitterUid: 1000,
            submitterName: submitter, submittedAt: at(0), state: "failed",
            parameters: String(decoding: try JSONEncoder().encode(plan), as: UTF8.self),
            instanceCount: n, batchCount: (n + batch - 1) / batch, currentBatch: 0, updatedAt: at(0), finishedAt: at(90_000),
            reason: "gate quorum: exit 1")
    }

    func row(_ plan: String, _ i: Int, state: String, batch: Int, error: String? = nil, finished: Double?) -> PlanInstanceRecord {
        PlanInstanceRecord(
            planId: plan, idx: i, instanceId: String(format: "i-%08d", i), batch: batch, state: state, attempts: 1, conflicts: 0,
            lastError: error, lastStatus: nil, observedNonRunning: true, startedAt: nil, finishedAt: finished.map(at), updatedAt: at(0))
    }

    func testTheWorstShapedHundredThousandPlanStaysSmallAndKeepsItsHalt() throws {
        let p = try record(100_000)
        var rows: [PlanInstanceRecord] = []
        var attempts: [AttemptRecord] = []
        var events: [PlanEventRecord] = []
        for i in 0..<100_000 {
            let done = i < 40_000
            rows.append(
                row(
                    p.id, i, state: done ? "rebooted" : "skipped", batch: i, error: done ? nil : "plan halted",
                    finished: done ? Double(i) * 0.5 + 30 : 90_000))
            if done {
                attempts.append(
                    AttemptRecord(
                        id: nil, planId: p.id, instanceId: String(format: "i-%08d", i), attempt: 1, kind: "reboot", sentAt: at(Double(i) * 0.5),
                        finishedAt: at(Double(i) * 0.5 + 0.1), httpStatus: 200, errorCode: nil, message: nil, requestId: "r", outcome: "accepted"))
                events.append(
                    PlanEventRecord(id: nil, planId: p.id, at: at(Double(i) * 0.5), kind: "batch-start", detail: "batch \(i + 1)/100000: 1 instances")
                )
            }
        }
        for k in 0..<1600 {
            events.append(
                PlanEventRecord(
                    id: nil, planId: p.id, at: at(20_000 + Double(k) * 30), kind: "gate-check",
                    detail: "gate quorum before batch 40001/100000: blocked: exit 1: replication passed 2 of 3\noutput: x"))
        }
        events.append(PlanEventRecord(id: nil, planId: p.id, at: at(89_999), kind: "halted", detail: "gate quorum: exit 1 (blocked for 30m)"))
        let controls = [
            ControlRecord(
                id: nil, planId: p.id, verb: "pause", requestedByUid: 1001, requestedBy: "alice", requestedAt: at(50_000), appliedAt: at(50_000),
                result: "paused"),
            ControlRecord(
                id: nil, planId: p.id, verb: "resume", requestedByUid: 1001, requestedBy: "alice", requestedAt: at(50_100), appliedAt: at(50_100),
                result: "resumed"),
        ]
        let started = Date()
        let report = PlanReportBuilder.build(plan: p, instances: rows, attempts: attempts, events: events, controls: controls, now: t0 + 90_000)
        let html = PlanReportHTML.render(report)
        print(
            "100,000 batches of one: built and rendered in \(String(format: "%.2f", Date().timeIntervalSince(started))) s, \(html.utf8.count / 1024) KiB"
        )
        XCTAssertLessThan(html.utf8.count, 2 << 20)
        XCTAssertTrue(html.contains("class=\"m m-halted\""), "the halt is drawn whatever else there is")
        XCTAssertTrue(html.contains("by alice"), "and who paused")
        XCTAssertTrue(html.contains("gate-blocked ×1600"), "a long gate wait is one mark")
        XCTAssertFalse(report.marks.contains { $0.kind == "gate-passed" }, "'passed' in a command's output is not a pass")
        XCTAssertLessThanOrEqual(html.components(separatedBy: "<g class=\"row\"").count - 1, 500)
    }

    func testFiveHundredInstancesWithManyRetriesAndLongMessagesStaySmall() throws {
        let p = try record(500, batch: 500)
        var rows: [PlanInstanceRecord] = []
        var attempts: [AttemptRecord] = []
        let long = String(repeating: "quota exceeded; ", count: 512)
        for i in 0..<500 {
            rows.append(row(p.id, i, state: "failed", batch: 0, error: long, finished: 5000))
            for k in 0..<40 {
                attempts.append(
                    AttemptRecord(
                        id: nil, planId: p.id, instanceId: String(format: "i-%08d", i), attempt: k + 1, kind: "reboot",
                        sentAt: at(Double(k) * 60), finishedAt: at(Double(k) * 60 + 1), httpStatus: k == 39 ? 400 : 429,
                        errorCode: k == 39 ? "BadRequest" : "RequestLimitExceeded", message: long, requestId: nil,
                        outcome: k == 39 ? "instanceFatal" : "throttled"))
            }
        }
        let report = PlanReportBuilder.build(plan: p, instances: rows, attempts: attempts, events: [], controls: [], now: t0 + 5000)
        let html = PlanReportHTML.render(report)
        XCTAssertLessThan(html.utf8.count, 2 << 20, "\(html.utf8.count) bytes")
        XCTAssertEqual(report.instances[0].marks.count, 40, "the JSON keeps every mark")
    }

    func testEverythingFromTheJournalIsEscaped() throws {
        let evil = "\"><img src=x onerror=alert(1)><script>alert(2)</script>'"
        let p = try record(2, name: "evil", submitter: evil, file: evil)
        let rows = [row(p.id, 0, state: "failed", batch: 0, error: evil, finished: 10), row(p.id, 1, state: "rebooted", batch: 1, finished: 20)]
        let attempts = [
            AttemptRecord(
                id: nil, planId: p.id, instanceId: "i-00000000", attempt: 1, kind: "reboot", sentAt: at(1), finishedAt: at(2),
                httpStatus: 400, errorCode: evil, message: evil, requestId: nil, outcome: "instanceFatal")
        ]
        let events = [PlanEventRecord(id: nil, planId: p.id, at: at(3), kind: "gate-check", detail: "gate q before batch 1/2: blocked: \(evil)")]
        let controls = [
            ControlRecord(
                id: nil, planId: p.id, verb: "pause", requestedByUid: 1, requestedBy: evil, requestedAt: at(4), appliedAt: at(4), result: evil)
        ]
        let html = PlanReportHTML.render(
            PlanReportBuilder.build(plan: p, instances: rows, attempts: attempts, events: events, controls: controls, now: t0 + 30))
        XCTAssertFalse(html.contains("<img"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("onerror=alert(1)>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&quot;&gt;&lt;img"))
    }

    func testTheJournalTimeParserAgreesWithTheFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        let fixed = ["2028-02-29T23:59:59.999Z", "2000-01-01T00:00:00.000Z", "2026-12-31T12:00:00.500Z", "1970-01-01T00:00:00.001Z"]
        let random = (0..<2000).map { _ in
            JournalTime.format(Date(timeIntervalSince1970: Double(UInt64.random(in: 0...4_000_000_000_000, using: &generator)) / 1000))
        }
        for text in fixed + random {
            let fast = JournalTime.parseOwnFormat(text)?.timeIntervalSince1970
            let slow = formatter.date(from: text)?.timeIntervalSince1970
            XCTAssertNotNil(fast, text)
            XCTAssertEqual(fast ?? 0, slow ?? -1, accuracy: 0.0005, text)
        }
        XCTAssertNil(JournalTime.parseOwnFormat("2026-11-28T01:00:00+08:00"))
        XCTAssertNotNil(JournalTime.parse("2026-11-28T01:00:00+08:00"), "other RFC 3339 forms still parse")
    }

    /// Review findings: an undecodable plan's 600 instances fell into one row "batch 1"; a batch
    /// of skipped and cancelled instances was drawn as still rebooting.
    func testBatchRowsFollowTheInstancesAndEndedBatchesLookEnded() throws {
        var p = try record(600, batch: 100)
        p.parameters = "{}"
        var rows: [PlanInstanceRecord] = []
        for i in 0..<600 {
            rows.append(row(p.id, i, state: i < 100 ? (i % 2 == 0 ? "skipped" : "cancelled") : "rebooted", batch: i / 100, finished: 10))
        }
        let html = PlanReportHTML.render(PlanReportBuilder.build(plan: p, instances: rows, attempts: [], events: [], controls: [], now: t0 + 30))
        XCTAssertEqual(html.components(separatedBy: "<g class=\"row\"").count - 1, 6)
        XCTAssertTrue(html.contains("data-batch=\"1\" data-last-batch=\"1\" data-state=\"skipped\""))
        XCTAssertTrue(html.contains("parameters cannot be decoded"))
    }
}
