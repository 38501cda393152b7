import Foundation
import XCTest

@testable import RebootCore

/// A gate wait's decisions alone (SPEC §4.14): rounds, answers, verdicts, in virtual time.
final class GateWaitTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    let names = ["quorum", "alerts"]

    func testARoundTakesEachGatesAnswerOnceAndOnlyForItself() {
        let wait = GateWait(batch: 1)
        XCTAssertEqual(wait.step(now: t0, names: names), .startRound)
        wait.startRound(number: 7, names: names, now: t0, slowestTimeout: 10)
        XCTAssertEqual(wait.step(now: t0 + 1, names: names), .waitUntil(t0 + 15))
        XCTAssertFalse(wait.answer("quorum", .passed("ok"), batch: 1, round: 6, names: names), "an older round")
        XCTAssertFalse(wait.answer("quorum", .passed("ok"), batch: 2, round: 7, names: names), "another batch")
        XCTAssertFalse(wait.answer("other", .passed("ok"), batch: 1, round: 7, names: names), "not the plan's gate")
        XCTAssertTrue(wait.answer("quorum", .passed("ok"), batch: 1, round: 7, names: names))
        XCTAssertFalse(wait.answer("quorum", .blocked("late"), batch: 1, round: 7, names: names), "a second answer")
        XCTAssertEqual(wait.step(now: t0 + 16, names: names), .roundTimedOut(missing: ["alerts"]))
        wait.timedOut(["alerts"], why: "no answer within 16s")
        XCTAssertEqual(wait.results["alerts"], .blocked("no answer within 16s"))
        XCTAssertEqual(wait.pending, 0)
    }

    func testABlockedRoundWaitsNotifiesOnceThenTimesOutAndAPassedOneStarts() {
        let wait = GateWait(batch: 0)
        wait.startRound(number: 1, names: names, now: t0, slowestTimeout: 10)
        _ = wait.answer("quorum", .blocked("no quorum"), batch: 0, round: 1, names: names)
        _ = wait.answer("alerts", .passed("none firing"), batch: 0, round: 1, names: names)
        XCTAssertEqual(
            wait.roundFinished(names: names, now: t0 + 2, interval: 30, timeout: 300), .blocked(reason: "gate quorum: no quorum", firstNotice: true))
        XCTAssertEqual(wait.nextCheckAt, t0 + 30, "checked again an interval after the round started")
        XCTAssertEqual(wait.step(now: t0 + 5, names: names), .waitUntil(t0 + 30))
        wait.startRound(number: 2, names: names, now: t0 + 30, slowestTimeout: 10)
        _ = wait.answer("quorum", .blocked("no quorum"), batch: 0, round: 2, names: names)
        _ = wait.answer("alerts", .passed("none firing"), batch: 0, round: 2, names: names)
        XCTAssertEqual(
            wait.roundFinished(names: names, now: t0 + 31, interval: 30, timeout: 300), .blocked(reason: "gate quorum: no quorum", firstNotice: false)
        )
        XCTAssertEqual(
            wait.roundFinished(names: names, now: t0 + 300, interval: 30, timeout: 300),
            .timedOut(reason: "gate quorum: no quorum", blockedFor: 300), "gateTimeout counts from the first blocked round")
        let clear = GateWait(batch: 0)
        clear.startRound(number: 3, names: names, now: t0, slowestTimeout: 10)
        for name in names { _ = clear.answer(name, .passed("ok"), batch: 0, round: 3, names: names) }
        XCTAssertEqual(clear.roundFinished(names: names, now: t0 + 1, interval: 30, timeout: 300), .passed)
        XCTAssertEqual(clear.step(now: t0 + 1, names: names), .pass)
        XCTAssertEqual(clear.summary(of: names), "quorum passed, alerts passed")
    }
}
