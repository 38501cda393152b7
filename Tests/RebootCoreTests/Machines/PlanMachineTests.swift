import Foundation
import XCTest

@testable import RebootCore

/// The plan machine alone (no queue, clock or I/O): each starting point × each event, with the
/// transition or the refusal it gives, then the step's decisions.
final class PlanMachineTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    /// The starting points: the plan's states and the holds that change what an event means.
    enum Start: CaseIterable {
        case queued, running, paused, accountPaused, waitingWindow, waitingGate, halted, cancelled, finished
    }

    /// The events, with what they return reduced to one comparable word.
    enum Event: CaseIterable {
        case activated, pause, resume, cancel, halt, accountPaused, gateBlocked, instanceFailed
    }

    func machine(_ start: Start) -> PlanMachine {
        var m = PlanMachine(budget: .count(1), total: 10)
        switch start {
        case .queued: break
        case .running: _ = m.activated()
        case .paused:
            _ = m.activated()
            _ = m.pause()
        case .accountPaused:
            _ = m.activated()
            _ = m.accountPaused(now: t0, reason: "account error X")
        case .waitingWindow:
            _ = m.activated()
            _ = m.step(facts(open: false))
        case .waitingGate:
            _ = m.activated()
            _ = m.gateBlocked(reason: "waiting for gate g")
        case .halted:
            _ = m.activated()
            _ = m.halt()
        case .cancelled:
            _ = m.activated()
            _ = m.cancel()
        case .finished:
            _ = m.activated()
            _ = m.cancel()
            _ = m.step(facts())
        }
        return m
    }

    func facts(open: Bool? = nil, batchOpen: Bool = false, count: Int = 3, startAfter: Date? = nil) -> PlanStepFacts {
        PlanStepFacts(
            now: t0, batchOpen: batchOpen, batchCount: count, pauseBetweenBatches: 60, startAfter: startAfter,
            window: open.map { ($0, $0 ? nil : self.t0 + 3600, $0 ? nil : "2026-12-08T02:00:00Z", "02:00-04:00") }, endCounts: { (7, 1) })
    }

    /// What `event` did from `start`: the state after it and a word for what it returned.
    func apply(_ event: Event, to start: Start) -> (PlanState, String) {
        var m = machine(start)
        let word: String
        switch event {
        case .activated: word = m.activated().map { "\($0.from.rawValue)->\($0.to.rawValue)" } ?? "same"
        case .pause:
            let (was, t) = m.pause()
            word = (was ? "again " : "") + (t.map { "\($0.from.rawValue)->\($0.to.rawValue)" } ?? "same")
        case .resume:
            let r = m.resume(now: t0 + 30)
            word = r.wasPaused ? "resumed" + (r.accountPauseLasted.map { " after \(Int($0))s" } ?? "") : "not paused"
        case .cancel: word = m.cancel() ? "cancel" : "refused"
        case .halt: word = m.halt(reason: "gate g: down") ? "halt" : "refused"
        case .accountPaused:
            switch m.accountPaused(now: t0, reason: "account error X") {
            case .none: word = "refused"
            case .some(.none): word = "held"
            case .some(.some(let t)): word = "\(t.from.rawValue)->\(t.to.rawValue)"
            }
        case .gateBlocked: word = m.gateBlocked(reason: "waiting for gate g").map { "\($0.from.rawValue)->\($0.to.rawValue)" } ?? "same"
        case .instanceFailed: word = m.instanceFailed() ? "budget exceeded" : "counted"
        }
        return (m.state, word)
    }

    func testEveryStartTimesEveryEvent() {
        // Terminal plans take no event (a precondition): they are left out of this table and
        // the finished row checks that nothing moves them through `step`.
        let table: [Start: [Event: (PlanState, String)]] = [
            .queued: [
                .activated: (.running, "queued->running"), .pause: (.paused, "queued->paused"), .resume: (.queued, "not paused"),
                .cancel: (.queued, "cancel"), .halt: (.queued, "halt"), .accountPaused: (.paused, "queued->paused"),
                .gateBlocked: (.waitingGate, "queued->waiting-gate"), .instanceFailed: (.queued, "counted"),
            ],
            .running: [
                .activated: (.running, "same"), .pause: (.paused, "running->paused"), .resume: (.running, "not paused"),
                .cancel: (.running, "cancel"), .halt: (.running, "halt"), .accountPaused: (.paused, "running->paused"),
                .gateBlocked: (.waitingGate, "running->waiting-gate"), .instanceFailed: (.running, "counted"),
            ],
            .paused: [
                .activated: (.running, "paused->running"), .pause: (.paused, "again same"), .resume: (.paused, "resumed"),
                .cancel: (.paused, "cancel"), .halt: (.paused, "halt"), .accountPaused: (.paused, "held"),
                .gateBlocked: (.waitingGate, "paused->waiting-gate"), .instanceFailed: (.paused, "counted"),
            ],
            .accountPaused: [
                .activated: (.running, "paused->running"), .pause: (.paused, "same"), .resume: (.paused, "resumed after 30s"),
                .cancel: (.paused, "cancel"), .halt: (.paused, "halt"), .accountPaused: (.paused, "refused"),
                .gateBlocked: (.waitingGate, "paused->waiting-gate"), .instanceFailed: (.paused, "counted"),
            ],
            .waitingWindow: [
                .activated: (.running, "waiting-window->running"), .pause: (.paused, "waiting-window->paused"),
                .resume: (.waitingWindow, "not paused"), .cancel: (.waitingWindow, "cancel"), .halt: (.waitingWindow, "halt"),
                .accountPaused: (.paused, "waiting-window->paused"), .gateBlocked: (.waitingGate, "waiting-window->waiting-gate"),
                .instanceFailed: (.waitingWindow, "counted"),
            ],
            .waitingGate: [
                .activated: (.running, "waiting-gate->running"), .pause: (.paused, "waiting-gate->paused"),
                .resume: (.waitingGate, "not paused"), .cancel: (.waitingGate, "cancel"), .halt: (.waitingGate, "halt"),
                .accountPaused: (.paused, "waiting-gate->paused"), .gateBlocked: (.waitingGate, "same"),
                .instanceFailed: (.waitingGate, "counted"),
            ],
            .halted: [
                .activated: (.running, "same"), .pause: (.paused, "running->paused"), .resume: (.running, "not paused"),
                .cancel: (.running, "refused"), .halt: (.running, "refused"), .accountPaused: (.paused, "running->paused"),
                .gateBlocked: (.waitingGate, "running->waiting-gate"), .instanceFailed: (.running, "counted"),
            ],
            .cancelled: [
                .activated: (.running, "same"), .pause: (.paused, "running->paused"), .resume: (.running, "not paused"),
                .cancel: (.running, "refused"), .halt: (.running, "refused"), .accountPaused: (.paused, "running->paused"),
                .gateBlocked: (.waitingGate, "running->waiting-gate"), .instanceFailed: (.running, "counted"),
            ],
        ]
        var checked = 0
        for (start, row) in table {
            for event in Event.allCases {
                guard let expected = row[event] else { return XCTFail("no row for \(start) × \(event)") }
                let (state, word) = apply(event, to: start)
                XCTAssertEqual(state, expected.0, "\(start) × \(event)")
                XCTAssertEqual(word, expected.1, "\(start) × \(event)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, (Start.allCases.count - 1) * Event.allCases.count)
        let finished = machine(.finished)
        XCTAssertEqual(finished.state, .cancelled)
        var again = finished
        XCTAssertEqual(again.step(facts()), [], "an ended plan takes no step")
    }

    /// The second failure past a budget of 1 exceeds it once; a stopped plan is not halted again.
    func testTheBudgetIsExceededOnceAndOnlyWhileNotStopped() {
        var m = machine(.running)
        XCTAssertFalse(m.instanceFailed())
        XCTAssertTrue(m.instanceFailed(), "2 failed > 1 allowed")
        XCTAssertTrue(m.halt())
        XCTAssertFalse(m.instanceFailed(), "already halted")
        XCTAssertEqual(m.failed, 3)
        XCTAssertFalse(m.mayCall)
    }

    func testTheStepWhileTheBatchIsOpenOnlySaysRunningOrPaused() {
        var m = machine(.paused)
        XCTAssertEqual(m.step(facts(batchOpen: true)), [.wake(at: nil)])
        _ = m.resume(now: t0)
        XCTAssertEqual(m.step(facts(batchOpen: true)), [.wake(at: nil), .enter(.init(from: .paused, to: .running, reason: nil))])
    }

    func testTheStepStartsTheFirstBatchThenWaitsThePauseThenEnds() {
        var m = machine(.running)
        XCTAssertEqual(m.step(facts()), [.startBatch(0)])
        XCTAssertEqual(m.batchStarted(0), nil, "already running")
        XCTAssertEqual(m.currentBatch, 0)
        XCTAssertEqual(m.step(facts()), [.batchFinished(0, state: .running), .dropGateWait, .wake(at: t0 + 60)], "the pause between batches")
        XCTAssertEqual(m.batchEndedAt, t0)
        var later = facts()
        later.now = t0 + 60
        XCTAssertEqual(m.step(later), [.startBatch(1)])
        _ = m.batchStarted(1)
        _ = m.batchStarted(2)
        later.now = t0 + 500
        XCTAssertEqual(
            m.step(later),
            [
                .batchFinished(2, state: .running),
                .finish(.init(from: .running, to: .succeeded, reason: "7 rebooted, 0 failed (1 allowed), 1 skipped")),
            ])
        XCTAssertEqual(m.state, .succeeded)
        XCTAssertEqual(m.currentBatch, 2, "an ended plan keeps its last batch (status shows batch 3/3, not 0/3)")
    }

    func testTheStepWaitsForStartAfterAndTheWindow() {
        var m = machine(.running)
        XCTAssertEqual(
            m.step(facts(startAfter: t0 + 600)),
            [.dropGateWait, .wake(at: t0 + 60), .enter(.init(from: .running, to: .waitingWindow, reason: "waiting for startAfter"))],
            "looks again within a minute: a clock step moves startAfter")
        XCTAssertEqual(
            m.step(facts(open: false)),
            [.wake(at: t0 + 60), .dropGateWait, .reason("outside window 02:00-04:00; next opening 2026-12-08T02:00:00Z")],
            "still waiting-window, for another reason: status says which")
        XCTAssertEqual(m.step(facts(open: false)), [.wake(at: t0 + 60), .dropGateWait], "the same reason is journaled once")
        var n = machine(.running)
        XCTAssertEqual(
            n.step(facts(open: false)).last,
            .enter(.init(from: .running, to: .waitingWindow, reason: "outside window 02:00-04:00; next opening 2026-12-08T02:00:00Z")))
        XCTAssertFalse(n.mayCall, "no reboot call and no batch-start read outside the window")
        XCTAssertEqual(n.step(facts(open: true)), [.startBatch(0)])
    }

    /// A batch that ends while the window is closed: the plan says it waits for the window
    /// through the pause too (not `running`, which alerts read as moving).
    func testThePauseAfterABatchThatEndedOutsideTheWindowIsWaitingWindow() {
        var m = machine(.running)
        XCTAssertEqual(m.step(facts()), [.startBatch(0)])
        _ = m.batchStarted(0)
        _ = m.step(facts(open: false, batchOpen: true))
        XCTAssertEqual(m.state, .waitingWindow)
        XCTAssertEqual(m.step(facts(open: false)), [.batchFinished(0, state: .waitingWindow), .dropGateWait, .wake(at: t0 + 60)])
        XCTAssertEqual(m.state, .waitingWindow, "still outside the window while the pause runs")
        var later = facts(open: true)
        later.now = t0 + 30
        XCTAssertEqual(
            m.step(later), [.dropGateWait, .wake(at: t0 + 60), .enter(.init(from: .waitingWindow, to: .running, reason: "the window is open"))])
    }

    /// SPEC §4.1 (issue 26): a window that closes inside a started batch stops its calls (the
    /// plan waits, `mayCall` false) until the next opening, and they go on when it opens.
    func testAWindowThatClosesInsideABatchHoldsItsCallsUntilTheNextOpening() {
        var m = machine(.running)
        XCTAssertEqual(m.step(facts()), [.startBatch(0)])
        _ = m.batchStarted(0)
        XCTAssertEqual(m.step(facts(open: true, batchOpen: true)), [.wake(at: nil)])
        XCTAssertTrue(m.mayCall)
        XCTAssertEqual(
            m.step(facts(open: false, batchOpen: true)),
            [
                .wake(at: t0 + 60),
                .enter(.init(from: .running, to: .waitingWindow, reason: "outside window 02:00-04:00; next opening 2026-12-08T02:00:00Z")),
            ], "looks again at least once a minute, and status says when it opens")
        XCTAssertFalse(m.mayCall, "no call while the window is closed, inside the batch too")
        XCTAssertEqual(m.currentBatch, 0, "the batch stays open: nothing is skipped or failed")
        XCTAssertEqual(m.step(facts(open: false, batchOpen: true)), [.wake(at: t0 + 60)], "still closed: no new transition")
        var reopened = facts(open: true, batchOpen: true)
        reopened.now = t0 + 3600
        XCTAssertEqual(
            m.step(reopened),
            [.wake(at: nil), .enter(.init(from: .waitingWindow, to: .running, reason: "the window is open")), .windowReopened(closedFor: 3600)],
            "what waited is read again, and the wait does not count against its deadlines")
        XCTAssertTrue(m.mayCall)
        _ = m.pause()
        XCTAssertEqual(m.step(facts(open: false, batchOpen: true)), [.wake(at: nil)], "a pause wins over the window")
        XCTAssertEqual(m.state, .paused)
    }

    func testAStoppedPlanEndsWithItsReasonAndAnExceededBudgetHaltsFirst() {
        var cancelled = machine(.running)
        _ = cancelled.batchStarted(0)
        _ = cancelled.cancel()
        XCTAssertEqual(
            cancelled.step(facts()),
            [.batchFinished(0, state: .running), .finish(.init(from: .running, to: .cancelled, reason: "cancelled by an operator"))])
        var gate = machine(.running)
        _ = gate.halt(reason: "gate g: down")
        XCTAssertEqual(gate.step(facts()), [.finish(.init(from: .running, to: .failed, reason: "gate g: down"))])
        // Restored over its budget before the halt was journaled: it halts, then ends failed.
        var restored = PlanMachine(restoring: record(state: "running", batch: 0), budget: .count(0), total: 3)
        _ = restored.instanceFailed()
        XCTAssertEqual(
            restored.step(facts()),
            [
                .batchFinished(0, state: .running), .halt(state: .running),
                .finish(.init(from: .running, to: .failed, reason: "failure budget exceeded: 1 failed, 0 allowed")),
            ])
    }

    func testRestoringKeepsTheStopTheGateReasonAndThePause() {
        var r = record(state: "paused", batch: 1)
        r.stopRequest = "halt"
        r.reason = "gate g: down"
        let m = PlanMachine(restoring: r, budget: .count(1), total: 3)
        XCTAssertEqual(m.stop, .halt)
        XCTAssertEqual(m.haltReason, "gate g: down")
        XCTAssertTrue(m.operatorPaused)
        XCTAssertEqual(m.currentBatch, 1)
        var n = PlanMachine(restoring: record(state: "running", batch: 1), budget: .count(1), total: 3)
        n.restoredBatchEnd(at: t0 - 10)
        XCTAssertEqual(n.progress, .between(1, endedAt: t0 - 10))
        n.heldByAccount(since: t0, operatorPaused: false)
        XCTAssertFalse(n.mayCall)
        XCTAssertEqual(n.resume(now: t0 + 5).accountPauseLasted, 5)
    }

    func record(state: String, batch: Int) -> PlanRecord {
        PlanRecord(
            id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "x", submitterUid: 0, submitterName: "root",
            submittedAt: "", state: state, parameters: "", instanceCount: 3, batchCount: 3, currentBatch: batch,
            updatedAt: "", finishedAt: nil, reason: nil)
    }
}
