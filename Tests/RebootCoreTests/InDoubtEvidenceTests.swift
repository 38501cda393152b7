import BCC
import Foundation
@testable import RebootCore
import RebootTesting
import XCTest

/// SPEC §4.8: a call in doubt is resolved by evidence from successful polls, never by elapsed
/// time alone; a gap in that evidence means it is never sent again.
final class InDoubtEvidenceTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func testRule4_8_EvidenceVerdicts() {
        var e = InDoubtEvidence(sentAt: t0, grace: 10, maxGap: 5)
        XCTAssertEqual(e.reading(.running, at: t0 + 4), .undecided)
        XCTAssertEqual(e.reading(.running, at: t0 + 8), .undecided)
        XCTAssertEqual(e.reading(.running, at: t0 + 12), .undecided)
        XCTAssertEqual(e.reading(.running, at: t0 + 14), .notApplied, "Running for the grace, no gap over 5 s")

        var late = InDoubtEvidence(sentAt: t0, grace: 10, maxGap: 5)
        XCTAssertEqual(late.reading(.running, at: t0 + 6), .unknowable(gap: 6), "the first reading came too late")

        var broken = InDoubtEvidence(sentAt: t0, grace: 10, maxGap: 5)
        XCTAssertEqual(broken.reading(.running, at: t0 + 2), .undecided)
        XCTAssertEqual(broken.reading(.running, at: t0 + 9), .unknowable(gap: 7))
        XCTAssertEqual(broken.reading(.starting, at: t0 + 10), .applied(.starting), "a non-Running reading still proves it took effect")
        XCTAssertTrue(broken.hasGap(now: t0 + 10))
    }

    func testRule4_8_TheGapRunsFromThePreviousPollsSendToThisPollsAnswer() {
        // A status is read somewhere between a poll's send and its answer: a slow answer does
        // not shorten the time nothing was seen.
        var e = InDoubtEvidence(sentAt: t0, grace: 10, maxGap: 20)
        XCTAssertEqual(e.reading(.running, sent: t0 + 0.1, answered: t0 + 9.9), .undecided)
        guard case .unknowable(let gap) = e.reading(.running, sent: t0 + 29.8, answered: t0 + 29.9) else {
            return XCTFail("a gap of 29.8 s (0.1 → 29.9) is longer than 20 s")
        }
        XCTAssertEqual(gap, 29.8, accuracy: 0.001)
    }

    func testRule4_8_AStatusOutageLongerThanTheGapIsNeverResent() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtGrace: 5, inDoubtMaxGap: 4)
        settings.retry = .init(maxAttempts: 6, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-d", "i-e"], settings: settings)
        h.cloud.rebootDuration = 3
        let outageEnds = h.clock.now() + 40
        h.cloud.rebootScript = { $0 == "i-d" ? BCCError.timeout(seconds: 1, mutating: true) : nil }  // applied, answer lost
        h.cloud.describeScript = { _ in h.clock.now() < outageEnds ? BCCError(httpStatus: 500, code: "InternalError", message: "down") : nil }
        let plan = try h.submit(SchedulerHarness.plan(["i-d", "i-e"]))
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(h.cloud.accepted["i-d"], 1, "rebooted once, never again")
        XCTAssertEqual(h.cloud.rebootCalls.filter { $0.id == "i-d" }.count, 1)
        let rows = try h.instances(plan)
        XCTAssertEqual(rows["i-d"]?.state, "failed")
        XCTAssertEqual(rows["i-d"]?.lastError, "in-doubt")
        XCTAssertEqual(rows["i-e"]?.state, "rebooted")
        XCTAssertEqual(try h.journal.attempts(planId: plan).first { $0.instanceId == "i-d" }?.outcome, "unknown")
    }

    func testRule4_8_ResendsCountAgainstRetryMaxAttempts() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtGrace: 2, inDoubtMaxGap: 4)
        settings.retry = .init(maxAttempts: 3, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-d"], settings: settings)
        h.cloud.inDoubtApplies = false  // every request is lost: never applied, never answered
        h.cloud.rebootScript = { _ in BCCError.timeout(seconds: 1, mutating: true) }
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]) { $0.rebootTimeout = 600 })
        XCTAssertTrue(h.run(for: 300) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 3, "the first call and two re-sends, then it fails")
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "failed")
        XCTAssertEqual(try h.journal.attempts(planId: plan).map(\.kind), ["reboot", "resend", "resend"])
    }

    func testRule4_8_AnIdMissingFromTheAnswerIsNoEvidence() throws {
        let h = try SchedulerHarness(ids: ["i-d", "i-gone"])
        h.cloud.rebootDuration = 3
        h.cloud.rebootScript = { $0 == "i-d" ? BCCError.timeout(seconds: 1, mutating: true) : nil }
        h.cloud.inDoubtApplies = false
        h.cloud.hidden = ["i-d"]
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        let row = try XCTUnwrap(try h.instances(plan)["i-d"])
        XCTAssertEqual(row.state, "skipped", "three answers without it: NotFound")
        XCTAssertEqual(row.lastError, "NotFound")
        XCTAssertNotEqual(try h.journal.attempts(planId: plan).first?.outcome, "applied", "a missing id is not a non-Running status")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1)
    }

    func testRule4_8_AnIdMissingOnceDoesNotEndTheInstance() throws {
        let h = try SchedulerHarness(ids: ["i-a"])
        h.cloud.rebootDuration = 3
        h.cloud.hidden = ["i-a"]
        let plan = try h.submit(SchedulerHarness.plan(["i-a"]))
        h.run(for: 1.5)
        h.cloud.hidden = []
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-a"]?.state, "rebooted")
    }

    func testRule4_8_RestartHoldCoversEveryPlan() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtGrace: 5, inDoubtMaxGap: 4)
        settings.maxActivePlans = 2
        let h = try SchedulerHarness(ids: ["i-1", "i-2", "i-3"], settings: settings)
        h.cloud.rebootDuration = 20
        let first = try h.submit(SchedulerHarness.plan(["i-1"]))
        h.run(for: 0.5)
        try h.journal.writer.write { db in
            try db.execute(sql: "UPDATE attempts SET outcome = NULL, finishedAt = NULL")  // the crash lost the answer
        }
        // After the restart, status calls fail for 10 s: the in-doubt instance of the first plan
        // gets no answer, so no plan may send a reboot call.
        let outageEnds = h.clock.now() + 10
        h.cloud.describeScript = { _ in h.clock.now() < outageEnds ? BCCError(httpStatus: 503, code: "ServiceUnavailable", message: "down") : nil }
        let before = h.cloud.rebootCalls.count
        try h.restart()
        var other = SchedulerHarness.plan(["i-2", "i-3"])
        other.name = "other"
        let second = try h.submit(other)
        h.run(for: 9)
        XCTAssertEqual(h.cloud.rebootCalls.count, before, "no reboot call for any plan before the in-doubt poll is answered")
        XCTAssertTrue(h.run(for: 120) { h.finished(first) && h.finished(second) })
        XCTAssertEqual(h.cloud.accepted["i-1"], 1)
    }
}
