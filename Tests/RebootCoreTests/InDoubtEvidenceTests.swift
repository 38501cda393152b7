import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.8: a call in doubt is resolved by evidence from successful polls, never by elapsed
/// time alone; a gap in that evidence means it is never sent again.
final class InDoubtEvidenceTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    /// One table of the evidence rule (SPEC §4.8). Each call: sent at t0, signed to expire at
    /// t0 + 6 (its effect deadline), reboots of at least 4 s, gaps of at most min(4, 5) = 4 s;
    /// so Running readings must reach past t0 + 10 with no gap over 4 s.
    func testRule4_8_EvidenceTable() {
        typealias Reading = (status: InstanceStatus, sent: Double, answered: Double)
        let cases: [(name: String, readings: [Reading], expected: [InDoubtEvidence.Verdict])] = [
            (
                "Running from the send past the effect deadline plus minRebootTime, no gap",
                [(.running, 1, 1), (.running, 4, 4), (.running, 7, 7), (.running, 10, 10)],
                [.undecided, .undecided, .undecided, .notApplied]
            ),
            (
                "a reboot shorter than the first gap: every reading Running, but the first came too late",
                [(.running, 5, 5), (.running, 8, 8), (.running, 11, 11)],
                [.unknowable(gap: 5), .unknowable(gap: 5), .unknowable(gap: 5)]
            ),
            (
                "a gap in the middle: a whole reboot fits in it",
                [(.running, 2, 2), (.running, 6.5, 6.5)],
                [.undecided, .unknowable(gap: 4.5)]
            ),
            (
                "Running until the effect deadline only: a call applied at the last moment is still rebooting",
                [(.running, 2, 2), (.running, 5, 5), (.running, 6, 6)],
                [.undecided, .undecided, .undecided]
            ),
            (
                "a non-Running reading after the send: it took effect, whatever the gaps before",
                [(.running, 2, 2), (.starting, 8, 8)],
                [.undecided, .applied(.starting)]
            ),
            (
                "a slow answer does not shorten the gap: it runs from the last poll's send to this answer",
                [(.running, 0.5, 3.9), (.running, 3.9, 8.1)],
                [.undecided, .unknowable(gap: 7.6)]
            ),
        ]
        // The last read before the send was not Running: a non-Running reading may be the state
        // the call met (say Stopping), not its effect.
        var unread = InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 6, minRebootTime: 4, inDoubtMaxGap: 5, runningBeforeSend: false)
        guard case .unknowable = unread.reading(.stopping, at: t0 + 1) else {
            return XCTFail("a non-Running read with no Running read before the send is unknowable")
        }
        for c in cases {
            var e = InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 6, minRebootTime: 4, inDoubtMaxGap: 5)
            var got: [InDoubtEvidence.Verdict] = []
            for r in c.readings { got.append(e.reading(r.status, sent: t0 + r.sent, answered: t0 + r.answered)) }
            XCTAssertEqual(got.count, c.expected.count, c.name)
            for (g, x) in zip(got, c.expected) {
                if case .unknowable(let a) = g, case .unknowable(let b) = x {
                    XCTAssertEqual(a, b, accuracy: 0.001, c.name)
                } else {
                    XCTAssertEqual(g, x, c.name)
                }
            }
        }
    }

    /// The gap allowed is the smaller of minRebootTime and inDoubtMaxGap; an unknown send time
    /// (another boot) lies further back than any gap allows.
    func testRule4_8_TheAllowedGapAndAnUnknownSend() {
        XCTAssertEqual(InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 15, minRebootTime: 10, inDoubtMaxGap: 20).maxGap, 10)
        XCTAssertEqual(InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 15, minRebootTime: 30, inDoubtMaxGap: 20).maxGap, 20)
        var unknown = InDoubtEvidence(sentAt: t0 - 3600, effectDeadline: t0 - 3585, minRebootTime: 10, inDoubtMaxGap: 20)
        guard case .unknowable = unknown.reading(.running, at: t0) else { return XCTFail("Running after an unknown time proves nothing") }
        var applied = InDoubtEvidence(sentAt: t0 - 3600, effectDeadline: t0 - 3585, minRebootTime: 10, inDoubtMaxGap: 20)
        XCTAssertEqual(applied.reading(.stopping, at: t0), .applied(.stopping))
        XCTAssertTrue(InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 6, minRebootTime: 4, inDoubtMaxGap: 5).hasGap(now: t0 + 4.5))
    }

    func testRule4_8_AStatusOutageLongerThanTheGapIsNeverResent() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtMaxGap: 4, minRebootTime: 2, requestTimeout: 1)
        settings.retry = .init(maxAttempts: 6, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-d", "i-e"], settings: settings)
        h.cloud.rebootDuration = 3
        // The status outage starts with the call (after the batch's read): 40 s.
        var outageEnds = Date.distantPast
        h.cloud.rebootScript = { id in  // applied, answer lost
            guard id == "i-d" else { return nil }
            outageEnds = h.clock.now() + 40
            return BCCError.timeout(seconds: 1, mutating: true)
        }
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

    /// Rule 4.8: an unknowable call is followed until the instance is read Running, then ends
    /// `failed (in-doubt)`. Until then its batch stays open: the next batch does not call an
    /// instance while this one may still be rebooting (issue 23; before, it failed at once and
    /// the next batch went on while it was still Starting).
    func testRule4_8_AnUnknowableCallIsFollowedUntilRunning() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtMaxGap: 4, minRebootTime: 2, requestTimeout: 1)
        settings.retry = .init(maxAttempts: 6, baseDelay: 0.1, maxDelay: 1)
        let h = try SchedulerHarness(ids: ["i-d", "i-2"], settings: settings)
        h.cloud.rebootDuration = 50
        let t0 = h.clock.now()
        var outageEnds = Date.distantPast
        h.cloud.rebootScript = { id in  // applied, answer lost; no status for 40 s from the call
            guard id == "i-d" else { return nil }
            outageEnds = h.clock.now() + 40
            return BCCError.timeout(seconds: 1, mutating: true)
        }
        h.cloud.describeScript = { _ in h.clock.now() < outageEnds ? BCCError(httpStatus: 500, code: "InternalError", message: "down") : nil }
        let plan = try h.submit(
            SchedulerHarness.plan(["i-d", "i-2"], batch: .fixed(.count(1))) {
                $0.rebootTimeout = 30
                $0.maxFailures = .count(1)
            })
        XCTAssertTrue(
            h.run(for: 45) { (try? h.journal.attempts(planId: plan).first?.outcome) == "unknown" },
            "no reading for longer than the reboot timeout: unknowable")
        h.run(for: 3)
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "rebooting", "read Starting after the outage: still followed")
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        let rows = try h.instances(plan)
        XCTAssertEqual(rows["i-d"]?.state, "failed")
        XCTAssertEqual(rows["i-d"]?.lastError, "in-doubt")
        XCTAssertEqual(h.cloud.rebootCalls.filter { $0.id == "i-d" }.count, 1, "never sent again")
        let next = try XCTUnwrap(h.cloud.rebootCalls.first { $0.id == "i-2" })
        XCTAssertGreaterThanOrEqual(next.at.timeIntervalSince(t0), 50, "the next batch waited until i-d was Running again")
    }

    func testRule4_8_ResendsCountAgainstRetryMaxAttempts() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtMaxGap: 4, minRebootTime: 2, requestTimeout: 1)
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
        h.cloud.rebootScript = { id in
            guard id == "i-d" else { return nil }
            h.cloud.hidden = ["i-d"]  // unlisted from the call on (the batch's read listed it)
            return BCCError.timeout(seconds: 1, mutating: true)
        }
        h.cloud.inDoubtApplies = false
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
        h.cloud.rebootScript = { _ in
            h.cloud.hidden = ["i-a"]
            return nil
        }  // unlisted once it reboots
        let plan = try h.submit(SchedulerHarness.plan(["i-a"]))
        h.run(for: 1.5)
        h.cloud.hidden = []
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-a"]?.state, "rebooted")
    }

    func testRule4_8_RestartHoldCoversEveryPlan() throws {
        var settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, inDoubtMaxGap: 4, minRebootTime: 2, requestTimeout: 1)
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
