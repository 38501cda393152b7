import Foundation
import XCTest

@testable import RebootCore

/// `LeaseMachine` alone (SPEC §4.16): leadership from the lease statements' answers and the
/// local monotonic clock, with no database, queue or clock.
final class LeaseMachineTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 10_000)

    func leader(epoch: Int64 = 7) -> LeaseMachine {
        var m = LeaseMachine(now: t0)
        XCTAssertEqual(m.tick(now: t0), [.tryAcquire])
        XCTAssertEqual(m.acquired(epoch: epoch, remaining: 15, sentAt: t0, now: t0 + 0.1), [.startLeading(epoch: epoch), .wake(at: t0 + 3.1)])
        return m
    }

    func testAnAcquiredLeaseIsTrustedFromItsSendMinusTheMargin() {
        let m = leader()
        XCTAssertEqual(m.state, .leading(epoch: 7, trustUntil: t0 + 13, renewAt: t0 + 3.1, renewalSentAt: nil))
        XCTAssertEqual(m.epoch(at: t0 + 12.9), 7)
        XCTAssertNil(m.epoch(at: t0 + 13), "no call at or after the trust's end, tick or not")
    }

    func testAGrantThatComesBackTooLateIsNotTrusted() {
        var m = LeaseMachine(now: t0)
        _ = m.tick(now: t0)
        XCTAssertEqual(m.acquired(epoch: 3, remaining: 15, sentAt: t0, now: t0 + 14), [.tick])
        XCTAssertNil(m.epoch(at: t0 + 14))
        XCTAssertEqual(m.state, .standingBy(nextTry: t0 + 14))
    }

    func testARenewalExtendsTheTrustFromWhenItWasSent() {
        var m = leader()
        XCTAssertEqual(m.tick(now: t0 + 3.1), [.renew(epoch: 7), .wake(at: t0 + 13)])
        XCTAssertEqual(m.tick(now: t0 + 4), [.wake(at: t0 + 13)], "one renewal in flight at a time")
        XCTAssertEqual(m.renewed(epoch: 7, remaining: 15, now: t0 + 5), [.wake(at: t0 + 8)])
        XCTAssertEqual(m.epoch(at: t0 + 16), 7, "trusted until the send (3.1) + 15 - 2")
        XCTAssertNil(m.epoch(at: t0 + 16.1))
    }

    /// SIGSTOP past the lease, then SIGCONT: the first tick ends leadership before anything else.
    func testARenewalThatDoesNotComeBackInTimeEndsLeadershipAtOnce() {
        var m = leader()
        _ = m.tick(now: t0 + 3.1)
        XCTAssertEqual(
            m.tick(now: t0 + 40),
            [.stopLeading(epoch: 7, reason: "the lease was not renewed before its trust ran out")])
        XCTAssertNil(m.epoch(at: t0 + 40))
        XCTAssertEqual(m.renewed(epoch: 7, remaining: 15, now: t0 + 40.5), [], "a late answer revives nothing")
        XCTAssertEqual(m.state, .standingBy(nextTry: t0 + 43))
    }

    func testARefusedRenewalEndsLeadershipAndAFailedOneRetriesWithinTheTrust() {
        var m = leader()
        _ = m.tick(now: t0 + 3.1)
        XCTAssertEqual(m.renewalFailed(epoch: 7, now: t0 + 5.1), [.wake(at: t0 + 5.6)], "a timeout: try again, still trusted")
        XCTAssertEqual(m.epoch(at: t0 + 6), 7)
        XCTAssertEqual(m.tick(now: t0 + 5.6), [.renew(epoch: 7), .wake(at: t0 + 13)])
        XCTAssertEqual(m.renewalRefused(epoch: 7, now: t0 + 6), [.stopLeading(epoch: 7, reason: "the lease was taken or expired")])
        XCTAssertNil(m.epoch(at: t0 + 6))
        XCTAssertEqual(m.renewalRefused(epoch: 7, now: t0 + 6), [], "once")
    }

    func testStandingByTriesAgainAfterTheRenewInterval() {
        var m = LeaseMachine(now: t0)
        _ = m.tick(now: t0)
        XCTAssertEqual(m.notAcquired(now: t0 + 0.1), [.wake(at: t0 + 3.1)])
        XCTAssertEqual(m.tick(now: t0 + 1), [.wake(at: t0 + 3.1)])
        XCTAssertEqual(m.tick(now: t0 + 3.1), [.tryAcquire])
    }

    func testAResignHandsTheLeaseBackOnce() {
        var m = leader()
        XCTAssertEqual(m.resign(now: t0 + 1), [.stopLeading(epoch: 7, reason: "stopping"), .resign(epoch: 7)])
        XCTAssertEqual(m.state, .resigned)
        XCTAssertEqual(m.tick(now: t0 + 2), [])
        XCTAssertEqual(m.resign(now: t0 + 2), [])
    }
}
