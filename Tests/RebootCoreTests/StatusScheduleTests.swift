import Foundation
import XCTest

@testable import RebootCore

/// The status timer is armed only for the next duty (issue 10), in virtual time.
final class StatusScheduleTests: XCTestCase {
    typealias Duties = StatusSchedule.Duties

    /// Run by hand (no systemd, no metrics file): after the first look, nothing is ever due, so
    /// the timer is never armed and the daemon does not wake for it.
    func testNothingToDoArmsNothing() {
        var s = StatusSchedule(watchdog: nil, sendsStatus: false)
        XCTAssertEqual(s.due(now: 0, writesMetrics: false), Duties())
        XCTAssertNil(s.next(writesMetrics: false))
        s.schedulerActed()
        XCTAssertNil(s.next(writesMetrics: false), "no STATUS= reader: the scheduler's acts arm nothing")
    }

    /// STATUS= is looked at once at start, then only after the scheduler acted, at most once a second.
    func testStatusFollowsTheSchedulerAtMostOnceASecond() {
        var s = StatusSchedule(watchdog: nil, sendsStatus: true)
        XCTAssertEqual(s.due(now: 0, writesMetrics: false), Duties(status: true))
        s.statusLookedAt(0)
        XCTAssertNil(s.next(writesMetrics: false), "idle after the first line: no timer")
        s.schedulerActed()
        XCTAssertEqual(s.due(now: 0.3, writesMetrics: false), Duties(), "not twice within a second")
        XCTAssertEqual(s.next(writesMetrics: false), 1, "the change is shown one second after the last look")
        XCTAssertEqual(s.due(now: 1, writesMetrics: false), Duties(status: true))
        s.statusLookedAt(1)
        XCTAssertNil(s.next(writesMetrics: false))
        s.schedulerActed()
        XCTAssertEqual(s.due(now: 7, writesMetrics: false), Duties(status: true), "after a quiet spell, at once")
    }

    /// Pings every 0.9 × the interval; a withheld ping is looked at again within a second.
    func testWatchdogPingsAndRetries() {
        var s = StatusSchedule(watchdog: 15, sendsStatus: false)
        XCTAssertEqual(s.due(now: 0, writesMetrics: false), Duties(ping: true))
        s.pinged(at: 0)
        XCTAssertEqual(s.next(writesMetrics: false), 13.5)
        XCTAssertEqual(s.due(now: 13.4, writesMetrics: false), Duties())
        XCTAssertEqual(s.due(now: 13.5, writesMetrics: false), Duties(ping: true))
        s.pingWithheld(at: 13.5)
        XCTAssertEqual(s.next(writesMetrics: false), 14.5)
        XCTAssertEqual(s.due(now: 14.5, writesMetrics: false), Duties(ping: true))
        s.pinged(at: 14.5)
        XCTAssertEqual(s.next(writesMetrics: false), 28)
        var fast = StatusSchedule(watchdog: 0.1, sendsStatus: false)
        fast.pingWithheld(at: 2)
        XCTAssertEqual(fast.next(writesMetrics: false)!, 2.1, accuracy: 1e-9)
    }

    /// An interval that is not a finite positive number means no watchdog: never a NaN deadline
    /// (the timer re-armed for "now" forever).
    func testANonFiniteWatchdogIsNone() {
        for bad in [TimeInterval.infinity, .nan, 0, -1] {
            let s = StatusSchedule(watchdog: bad, sendsStatus: false)
            XCTAssertNil(s.watchdog, "\(bad)")
            XCTAssertEqual(s.due(now: 0, writesMetrics: false), Duties())
            XCTAssertNil(s.next(writesMetrics: false), "\(bad)")
        }
    }

    /// The metrics file every 10 s, only while one is configured; the earliest duty wins.
    func testMetricsEveryTenSecondsAndTheEarliestDutyWins() {
        var s = StatusSchedule(watchdog: 4, sendsStatus: true)
        XCTAssertEqual(s.due(now: 0, writesMetrics: true), Duties(ping: true, status: true, metrics: true))
        s.pinged(at: 0)
        s.statusLookedAt(0)
        s.metricsWritten(at: 0)
        XCTAssertEqual(s.next(writesMetrics: true)!, 3.6, accuracy: 1e-9)
        s.pinged(at: 3.6)
        s.pinged(at: 7.2)
        XCTAssertEqual(s.next(writesMetrics: true), 10)
        XCTAssertEqual(s.next(writesMetrics: false)!, 10.8, accuracy: 1e-9)
        XCTAssertEqual(s.due(now: 10, writesMetrics: true), Duties(metrics: true))
    }
}
