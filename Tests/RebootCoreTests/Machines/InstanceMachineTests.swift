import BCC
import Foundation
import XCTest

@testable import RebootCore

/// The instance machine alone: every phase × every event × a call in flight or not, against
/// the table written out here from SPEC §4 (no queue, no clock, no I/O).
final class InstanceMachineTests: XCTestCase {
    typealias Phase = InstanceMachine.Phase
    typealias Event = InstanceMachine.Event

    /// Every allowed transition, written out: (event, from, in flight) → to. Anything not here
    /// must be refused.
    static let allowed: [String: Phase] = {
        var t: [String: Phase] = [:]
        func allow(_ e: Event, _ from: [Phase], inFlight: Bool = false, to: Phase? = nil) {
            for f in from { t[key(e, f, inFlight)] = to ?? f }
        }
        allow(.callSent, [.pending, .waiting])
        allow(.callAccepted, [.pending, .waiting], inFlight: true, to: .rebooting)
        allow(.callRefused409, [.pending, .waiting], inFlight: true, to: .waiting)
        allow(.callFailed, [.pending, .waiting], inFlight: true)
        allow(.callInDoubt, [.pending, .waiting], inFlight: true, to: .inDoubt)
        allow(.readNotRunning, [.pending], to: .waiting)
        allow(.restoredInDoubt, [.pending, .waiting, .rebooting], to: .inDoubt)
        allow(.inDoubtApplied, [.inDoubt], to: .rebooting)
        allow(.inDoubtNotApplied, [.inDoubt], to: .pending)
        allow(.inDoubtUnknowable, [.inDoubt, .rebooting], to: .unknowable)
        allow(.rebootConfirmed, [.rebooting], to: .rebooted)
        allow(.failed, [.pending, .waiting, .rebooting, .unknowable], to: .failed)
        allow(.skipped, [.pending, .waiting, .rebooting, .inDoubt, .unknowable], to: .skipped)
        allow(.leftByHalt, [.pending, .waiting], to: .skipped)
        allow(.leftByCancel, [.pending, .waiting], to: .cancelled)
        return t
    }()

    static func key(_ e: Event, _ from: Phase, _ inFlight: Bool) -> String { "\(e) \(from) \(inFlight)" }

    func testEveryPhaseTimesEveryEventMatchesTheTable() {
        var checked = 0
        for phase in Phase.allCases {
            for inFlight in [false, true] {
                for event in Event.allCases {
                    let expected = Self.allowed[Self.key(event, phase, inFlight)]
                    XCTAssertEqual(
                        InstanceMachine.target(of: event, from: phase, inFlight: inFlight), expected,
                        "\(event) from \(phase)\(inFlight ? " in flight" : "")")
                    XCTAssertEqual(InstanceMachine(phase: phase, inFlight: inFlight).allows(event), expected != nil)
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, Phase.allCases.count * 2 * Event.allCases.count)
        XCTAssertEqual(Self.allowed.count, 32, "the table above has 32 allowed transitions")
    }

    /// The promises, said plainly: nothing after the end; no reboot confirmed that was not
    /// followed; no second call beside one in flight; a stop leaves only what waits for a call.
    func testTheRefusalsThePromiseRestsOn() {
        for end in [Phase.rebooted, .failed, .skipped, .cancelled] {
            for event in Event.allCases {
                XCTAssertNil(InstanceMachine.target(of: event, from: end, inFlight: false), "\(event) after \(end)")
            }
        }
        for from in [Phase.pending, .waiting, .inDoubt, .unknowable] {
            XCTAssertNil(InstanceMachine.target(of: .rebootConfirmed, from: from, inFlight: false), "rebooted from \(from)")
        }
        XCTAssertNil(InstanceMachine.target(of: .callSent, from: .pending, inFlight: true))
        XCTAssertNil(InstanceMachine.target(of: .callSent, from: .inDoubt, inFlight: false), "an in-doubt call is re-sent only once not applied")
        XCTAssertNil(InstanceMachine.target(of: .callSent, from: .unknowable, inFlight: false), "never re-sent")
        for stop in [Event.leftByHalt, .leftByCancel] {
            XCTAssertNil(InstanceMachine.target(of: stop, from: .rebooting, inFlight: false))
            XCTAssertNil(InstanceMachine.target(of: stop, from: .inDoubt, inFlight: false))
            XCTAssertNil(InstanceMachine.target(of: stop, from: .pending, inFlight: true), "a call in flight is followed")
        }
    }

    func testHandlingMovesThePhaseAndTheCallInFlight() {
        var m = InstanceMachine()
        m.handle(.callSent)
        XCTAssertEqual(m, InstanceMachine(phase: .pending, inFlight: true))
        m.handle(.callRefused409)
        XCTAssertEqual(m, InstanceMachine(phase: .waiting, inFlight: false))
        m.handle(.callSent)
        m.handle(.callInDoubt)
        XCTAssertEqual(m, InstanceMachine(phase: .inDoubt, inFlight: false))
        m.handle(.inDoubtNotApplied)
        m.handle(.callSent)
        m.handle(.callAccepted)
        XCTAssertEqual(m, InstanceMachine(phase: .rebooting, inFlight: false))
        m.handle(.rebootConfirmed)
        XCTAssertEqual(m.phase.state, .rebooted)
    }

    /// The journaled state of each phase: a call in doubt or unknowable is `rebooting`.
    func testEachPhaseIsJournaledAsItsState() {
        let states = Phase.allCases.map(\.state)
        XCTAssertEqual(states, [.pending, .waiting, .rebooting, .rebooted, .failed, .skipped, .cancelled, .rebooting, .rebooting])
        for state in InstanceState.allCases { XCTAssertEqual(Phase(restoring: state).state, state) }
        XCTAssertTrue(Phase.allCases.allSatisfy { $0.rawValue < 16 }, "four bits in InstanceRun")
    }

    /// The named ends and the events they are.
    func testNamedEndsAreTheirEvents() {
        XCTAssertEqual(InstanceEnd.rebooted.event, .rebootConfirmed)
        XCTAssertEqual(InstanceEnd.failed("timeout").event, .failed)
        XCTAssertEqual(InstanceEnd.skipped("NotFound").event, .skipped)
        XCTAssertEqual(InstanceEnd.left(by: .halt), .left(.halt, "plan halted"))
        XCTAssertEqual(InstanceEnd.left(by: .halt).state, .skipped)
        XCTAssertEqual(InstanceEnd.left(by: .cancel).state, .cancelled)
        XCTAssertEqual(InstanceEnd.left(by: .cancel).event, .leftByCancel)
        XCTAssertEqual(InstanceEnd.failed("timeout").reason, "timeout")
        XCTAssertNil(InstanceEnd.rebooted.reason)
    }

    /// Through `InstanceRun`: the machine's byte shares `packed` with the flags, and each
    /// transition bumps the epoch (an older poll's answer then does not count).
    func testTheRunKeepsTheMachineBesideItsFlags() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let inst = InstanceRun(index: 0, id: "i-a")
        inst.queued = true
        inst.watched = true
        let e0 = inst.epoch
        inst.sent(attemptId: 1, now: t0, effectDeadline: t0 + 16)
        XCTAssertEqual([inst.queued, inst.watched, inst.inFlight], [true, true, true])
        XCTAssertEqual(inst.phase, .pending)
        inst.callInDoubt(
            BCCError(httpStatus: nil, code: "Timeout", message: "", inDoubt: true), attemptId: 1,
            evidence: InDoubtEvidence(sentAt: t0, effectDeadline: t0 + 16, minRebootTime: 20, inDoubtMaxGap: 30))
        XCTAssertEqual(inst.phase, .inDoubt)
        XCTAssertTrue(inst.isInDoubt)
        XCTAssertEqual(inst.state, .rebooting)
        XCTAssertFalse(inst.inFlight)
        inst.inDoubtUnknowable(now: t0 + 60)
        XCTAssertEqual(inst.phase, .unknowable)
        XCTAssertFalse(inst.isInDoubt)
        inst.finish(.failed(InstanceRun.inDoubtReason), wall: t0)
        XCTAssertEqual(inst.state, .failed)
        XCTAssertEqual(inst.lastError, "in-doubt")
        XCTAssertEqual(inst.epoch, e0 + 4)
        XCTAssertEqual([inst.queued, inst.watched, inst.inFlight], [true, true, false])
    }
}
