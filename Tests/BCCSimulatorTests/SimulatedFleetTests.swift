import BCC
import Foundation
import XCTest

@testable import BCCSimulator

/// The simulator's state machine and faults, in virtual time (an injected clock).
final class SimulatedFleetTests: XCTestCase {
    final class TestClock: @unchecked Sendable {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
    }

    func configuration() -> SimulatorConfiguration {
        var c = SimulatorConfiguration()
        c.fleet = [("i-a", .running), ("i-b", .starting), ("i-c", .stopped)]
        c.stuck = ["i-c"]
        c.startingFor = 10
        c.rebootMin = 2
        c.rebootMax = 4
        return c
    }

    func testRebootGoesStartingThenRunningAfterDrawnDuration() {
        let clock = TestClock()
        let fleet = SimulatedFleet(configuration: configuration(), now: { clock.now })
        XCTAssertEqual(fleet.reboot("i-a"), .accepted)
        XCTAssertEqual(fleet.status("i-a"), .starting)
        XCTAssertEqual(fleet.reboot("i-a"), .notRunning(.starting), "a Starting instance refuses a reboot")
        clock.now += 1.9
        XCTAssertEqual(fleet.status("i-a"), .starting, "the drawn duration is at least rebootMin")
        clock.now += 2.2
        XCTAssertEqual(fleet.status("i-a"), .running, "and at most rebootMax")
        XCTAssertEqual(fleet.snapshot().first?.reboots, 1)
    }

    func testInitiallyStartingAndStuck() {
        let clock = TestClock()
        let fleet = SimulatedFleet(configuration: configuration(), now: { clock.now })
        XCTAssertEqual(fleet.reboot("i-b"), .notRunning(.starting))
        clock.now += 10
        XCTAssertEqual(fleet.reboot("i-b"), .accepted)
        clock.now += 10_000
        XCTAssertEqual(fleet.status("i-c"), .stopped, "a stuck instance never changes")
        XCTAssertEqual(fleet.reboot("i-zzz"), .unknown)
    }

    func testSeedMakesDrawsRepeatable() {
        let a = SimulatedFleet(configuration: configuration())
        let b = SimulatedFleet(configuration: configuration())
        XCTAssertEqual((0..<5).map { _ in a.draw() }, (0..<5).map { _ in b.draw() })
        XCTAssertEqual(SimulatorConfiguration.generateIds(count: 50, seed: 7), SimulatorConfiguration.generateIds(count: 50, seed: 7))
        let ids = SimulatorConfiguration.generateIds(count: 500, seed: 3)
        XCTAssertEqual(Set(ids).count, 500)
        XCTAssertTrue(ids.allSatisfy { $0.range(of: "^i-[A-Za-z0-9]{8}$", options: .regularExpression) != nil })
    }

    func testQPSLimitThrottlesWithinOneSecondOnly() {
        var c = configuration()
        c.qpsLimit = 3
        let fleet = SimulatedFleet(configuration: c)
        let faults = FaultInjector(configuration: c, fleet: fleet)
        let t0 = Date(timeIntervalSince1970: 1000)
        XCTAssertEqual(
            (0..<5).map { faults.decide(at: t0 + Double($0) * 0.1) },
            [.none, .none, .none, .throttle(retryAfter: 1), .throttle(retryAfter: 1)])
        XCTAssertEqual(faults.decide(at: t0 + 1.05), .none, "the first request left the window")
    }

    func testErrorAndHangRates() {
        var c = configuration()
        c.errorRate = 1
        XCTAssertEqual(FaultInjector(configuration: c, fleet: SimulatedFleet(configuration: c)).decide(at: Date()), .internalError)
        c.errorRate = 0
        c.hangRate = 1
        c.hangSeconds = 7
        XCTAssertEqual(FaultInjector(configuration: c, fleet: SimulatedFleet(configuration: c)).decide(at: Date()), .hang(7))
    }
}
