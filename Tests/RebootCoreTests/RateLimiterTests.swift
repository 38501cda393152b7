import Foundation
import XCTest

@testable import RebootCore

/// The token bucket and the limiter, in virtual time.
final class RateLimiterTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    /// Greedy taker polling every millisecond for 10 s: counts per sliding one-second window.
    func testNoOneSecondWindowHoldsMoreThanRatePlusBurstAndBacklogUsesItFully() {
        var bucket = TokenBucket(rate: 20, burst: 5, now: t0)
        var takes: [Double] = []
        for ms in 0..<10_000 {
            let t = t0 + Double(ms) / 1000
            while bucket.tryTake(now: t) { takes.append(Double(ms) / 1000) }
        }
        var maxInWindow = 0
        var head = 0
        for (i, t) in takes.enumerated() {
            while takes[head] <= t - 1 { head += 1 }
            maxInWindow = max(maxInWindow, i - head + 1)
        }
        XCTAssertLessThanOrEqual(maxInWindow, 25, "rate + burst")
        XCTAssertGreaterThanOrEqual(maxInWindow, 24, "a backlog uses the allowance")
        XCTAssertEqual(Double(takes.count), 5 + 20 * 10, accuracy: 2, "burst plus rate × time")
    }

    func testTimeUntilToken() {
        var bucket = TokenBucket(rate: 4, burst: 1, now: t0)
        XCTAssertTrue(bucket.tryTake(now: t0))
        XCTAssertEqual(bucket.timeUntilToken(now: t0), 0.25, accuracy: 1e-9)
        XCTAssertFalse(bucket.tryTake(now: t0 + 0.2))
        XCTAssertTrue(bucket.tryTake(now: t0 + 0.25))
    }

    func testInFlightCap() {
        var limiter = RateLimiter(requestsPerSecond: 1000, burst: 100, maxInFlight: 2, now: t0)
        XCTAssertTrue(limiter.tryAcquire(now: t0))
        XCTAssertTrue(limiter.tryAcquire(now: t0))
        XCTAssertFalse(limiter.tryAcquire(now: t0), "two in flight")
        XCTAssertNil(limiter.nextAvailable(now: t0), "only an answer frees a slot")
        limiter.release()
        XCTAssertTrue(limiter.tryAcquire(now: t0))
    }

    func testThrottlingHalvesTheRateAndRecoversGradually() {
        var limiter = RateLimiter(requestsPerSecond: 100, burst: 1, maxInFlight: 10, now: t0)
        limiter.throttled(now: t0)
        XCTAssertEqual(limiter.currentRate, 50)
        limiter.throttled(now: t0)
        XCTAssertEqual(limiter.currentRate, 25)
        for _ in 0..<10 { limiter.throttled(now: t0) }
        XCTAssertEqual(limiter.currentRate, 10, "floor: a tenth of the configured rate")
        _ = limiter.canAcquire(now: t0 + 0.5)
        XCTAssertEqual(limiter.currentRate, 10, "no recovery within a second of throttling")
        _ = limiter.canAcquire(now: t0 + 3)
        XCTAssertEqual(limiter.currentRate, 40, accuracy: 0.001, "+10% of configured per second since")
        _ = limiter.canAcquire(now: t0 + 30)
        XCTAssertEqual(limiter.currentRate, 100, "back to the configured rate")
    }
}

/// SPEC §6, reload: the limiter is reconfigured in place.
final class RateLimiterReloadTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func testReloadDuringThrottlingKeepsTheSlowDownAndDoesNotRefill() {
        var limiter = RateLimiter(requestsPerSecond: 20, burst: 10, maxInFlight: 100, now: t0)
        for _ in 0..<10 { XCTAssertTrue(limiter.tryAcquire(now: t0)) }
        limiter.throttled(now: t0)
        XCTAssertEqual(limiter.currentRate, 10, accuracy: 0.001)
        limiter.reconfigure(requestsPerSecond: 40, burst: 20, maxInFlight: 100, now: t0)
        XCTAssertEqual(limiter.currentRate, 20, accuracy: 0.001, "the throttle factor (1/2) is kept")
        XCTAssertLessThan(limiter.tokens(now: t0), 1, "the bucket was not refilled by the reload")
        XCTAssertEqual(limiter.inFlight, 10, "calls in flight are kept")
        limiter.reconfigure(requestsPerSecond: 40, burst: 2, maxInFlight: 100, now: t0 + 10)
        XCTAssertLessThanOrEqual(limiter.tokens(now: t0 + 10), 2, "tokens are capped at the new burst")
    }
}
