import BCC
import Foundation
import XCTest

@testable import RebootCore

/// The instance's rule-consulting events alone: what each returns from each phase (no queue,
/// clock or I/O; times are arguments).
final class InstanceDecisionTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    let rules = InstanceRules(plan: Plan(name: "p", instances: ["i-a"], batchSize: .fixed(.count(1))), retry: .init())

    func instance(_ phase: InstanceMachine.Phase) -> InstanceRun {
        let inst = InstanceRun(index: 0, id: "i-a")
        switch phase {
        case .pending: break
        case .waiting:
            inst.sent(attemptId: 1, now: t0, effectDeadline: t0 + 16)
            inst.refused409(code: "Conflict", now: t0)
        case .rebooting:
            inst.sent(attemptId: 1, now: t0, effectDeadline: t0 + 16)
            inst.accepted(now: t0 + 1)
        case .inDoubt:
            inst.sent(attemptId: 7, now: t0, effectDeadline: t0 + 16)
            inst.callInDoubt(
                BCCError(httpStatus: nil, code: "Timeout", message: "", inDoubt: true), attemptId: 7,
                evidence: InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 16, minRebootTime: 20, inDoubtMaxGap: 30))
        case .unknowable:
            inst.restore(row("rebooting"), attemptsMade: 1, countedMade: 0)
            inst.inDoubtUnknowable(now: t0)
        case .rebooted, .failed, .skipped, .cancelled:
            inst.restore(row(phase.state.rawValue), attemptsMade: 1, countedMade: 0)
        }
        XCTAssertEqual(inst.phase, phase)
        return inst
    }

    func row(_ state: String) -> PlanInstanceRecord {
        PlanInstanceRecord(
            planId: "p", idx: 0, instanceId: "i-a", batch: 0, state: state, attempts: 1, conflicts: 0, lastError: nil,
            lastStatus: nil, observedNonRunning: false, startedAt: nil, finishedAt: nil, updatedAt: "")
    }

    /// Every phase × a Running, a transitional, a parked and an Error reading.
    func testAReadFromEveryPhase() {
        typealias P = InstanceMachine.Phase
        let expected: [P: [InstanceStatus: InstanceAction]] = [
            .pending: [.running: .nothing, .starting: .nothing, .stopped: .nothing, .error: .nothing],
            .waiting: [.running: .callAgain, .starting: .save, .stopped: .end(.skipped("Stopped")), .error: .end(.failed("instance status Error"))],
            .rebooting: [.running: .end(.rebooted), .starting: .save, .stopped: .save, .error: .save],
            .unknowable: [.running: .end(.failed("in-doubt")), .starting: .save, .stopped: .save, .error: .save],
            .rebooted: [.running: .nothing, .starting: .nothing, .stopped: .nothing, .error: .nothing],
        ]
        for (phase, row) in expected {
            for (status, action) in row {
                let inst = instance(phase)
                XCTAssertEqual(
                    inst.read(status, pollSent: t0 + 5, answered: t0 + 6, now: t0 + 6, rules: rules, stop: nil), action, "\(phase) read \(status)")
            }
        }
        // A waiting instance read Running in a stopped plan is left behind, never called.
        XCTAssertEqual(
            instance(.waiting).read(.running, pollSent: t0, answered: t0, now: t0, rules: rules, stop: .cancel),
            .end(.left(.cancel, "plan cancelled")))
        // A Running read sent before the accepted answer confirms nothing (rule 4.3).
        XCTAssertEqual(instance(.rebooting).read(.running, pollSent: t0, answered: t0 + 2, now: t0 + 2, rules: rules, stop: nil), .save)
    }

    func testAnswersOfEveryKind() {
        func answer(_ error: BCCError, stop: PlanStop? = nil, from phase: InstanceMachine.Phase = .pending) -> (InstanceAction, InstanceMachine.Phase)
        {
            let inst = instance(phase)
            inst.sent(attemptId: 9, now: t0, effectDeadline: t0 + 16)
            let a = inst.answered(
                error, attemptId: 9, now: t0 + 1, rules: rules, stop: stop,
                evidence: { InDoubtEvidence(sentAt: self.t0, effectDeadline: self.t0 + 16, minRebootTime: 20, inDoubtMaxGap: 30) },
                random: { 0.5 })
            return (a, inst.phase)
        }
        let conflict = BCCError(httpStatus: 409, code: "Instance.InvalidStatus", message: "")
        XCTAssertEqual(answer(conflict).0, .follow(urgent: true))
        XCTAssertEqual(answer(conflict).1, .waiting)
        XCTAssertEqual(answer(conflict, stop: .halt).0, .end(.left(.halt, "plan halted")))
        XCTAssertEqual(answer(BCCError(httpStatus: nil, code: "Timeout", message: "", inDoubt: true)).1, .inDoubt)
        XCTAssertEqual(answer(BCCError(httpStatus: 404, code: "NotFound", message: "")).0, .end(.skipped("NotFound")))
        XCTAssertEqual(answer(BCCError(httpStatus: 403, code: "AccessDenied", message: "")).0, .pauseAccount(then: .callAgain))
        XCTAssertEqual(
            answer(BCCError(httpStatus: 403, code: "AccessDenied", message: ""), stop: .cancel).0,
            .pauseAccount(then: .end(.left(.cancel, "plan cancelled"))))
        XCTAssertEqual(answer(BCCError(httpStatus: 400, code: "BadThing", message: "no")).0, .end(.failed("BadThing: no")))
        guard case .retry(let delay) = answer(BCCError(httpStatus: 503, code: "Busy", message: "")).0 else { return XCTFail("a 503 is retried") }
        XCTAssertGreaterThan(delay, 0)
        XCTAssertEqual(answer(BCCError(httpStatus: 503, code: "Busy", message: ""), stop: .halt).0, .end(.left(.halt, "plan halted")))
    }

    func testTheStartReadTriagesWithoutACall() {
        XCTAssertEqual(instance(.pending).startRead(.running, now: t0, rules: rules, stop: nil, heldElsewhere: false), .callAgain)
        XCTAssertEqual(instance(.pending).startRead(.running, now: t0, rules: rules, stop: nil, heldElsewhere: true), .blocked)
        XCTAssertEqual(
            instance(.pending).startRead(.running, now: t0, rules: rules, stop: .cancel, heldElsewhere: false), .end(.left(.cancel, "plan cancelled"))
        )
        let starting = instance(.pending)
        XCTAssertEqual(starting.startRead(.starting, now: t0, rules: rules, stop: nil, heldElsewhere: false), .awaitRunning)
        XCTAssertEqual(starting.phase, .waiting)
        XCTAssertFalse(starting.lastReadRunning)
        XCTAssertEqual(instance(.pending).startRead(.expired, now: t0, rules: rules, stop: nil, heldElsewhere: false), .end(.skipped("Expired")))
    }

    func testDeadlinesOfEachPhase() {
        XCTAssertEqual(instance(.rebooting).deadlineCheck(now: t0 + 600, rules: rules), .nothing)
        XCTAssertEqual(instance(.rebooting).deadlineCheck(now: t0 + 601, rules: rules), .end(.failed("timeout")))
        XCTAssertEqual(instance(.unknowable).deadlineCheck(now: t0 + 601, rules: rules), .end(.failed("in-doubt")))
        XCTAssertEqual(instance(.pending).deadlineCheck(now: t0 + 10_000, rules: rules), .nothing)
        let waiting = instance(.waiting)
        XCTAssertEqual(waiting.deadlineCheck(now: t0 + rules.conflicts.timeout + 1, rules: rules), .end(.failed("Conflict")))
        guard case .unknowable(_, false) = instance(.inDoubt).deadlineCheck(now: t0 + 700, rules: rules) else {
            return XCTFail("no reading for longer than the timeout: unknowable")
        }
        XCTAssertEqual(instance(.rebooting).nextDeadline(now: t0, pollInterval: 5, rules: rules), t0 + 600.001)
    }

    /// A call in doubt seen to take effect: its attempt is resolved, and the row is saved once
    /// (by the resolution), not twice.
    func testAnAppliedCallInDoubtIsResolvedAndSavedOnce() {
        let inst = instance(.inDoubt)
        XCTAssertEqual(
            inst.read(.starting, pollSent: t0 + 5, answered: t0 + 6, now: t0 + 6, rules: rules, stop: nil),
            .resolve(attempt: 7, outcome: "applied", then: .nothing))
        XCTAssertEqual(inst.phase, .rebooting)
        XCTAssertTrue(inst.observedNonRunning)
    }

    func testThreeMissesSkipAndAnInDoubtMissResolvesItsAttempt() {
        let inst = instance(.inDoubt)
        XCTAssertEqual(inst.missedRead(), .nothing)
        XCTAssertEqual(inst.missedRead(), .nothing)
        XCTAssertEqual(inst.missedRead(), .resolve(attempt: 7, outcome: "unknown", then: .end(.skipped("NotFound"))))
    }
}
