import Foundation
import XCTest

@testable import RebootCore

/// Backoff with full jitter, and maintenance windows across midnight and time zones.
final class BackoffAndWindowTests: XCTestCase {
    func testFullJitterBoundsAndRetryAfter() {
        let b = Backoff(baseDelay: 0.3, maxDelay: 20)
        XCTAssertEqual(b.delay(attempt: 1, retryAfter: nil, random: 0.999), 0.2997, accuracy: 1e-6)
        XCTAssertEqual(b.delay(attempt: 3, retryAfter: nil, random: 0.5), 0.6, accuracy: 1e-9, "ceiling 1.2, half of it")
        XCTAssertEqual(b.delay(attempt: 20, retryAfter: nil, random: 0.999), 19.98, accuracy: 1e-6, "capped at maxDelay")
        XCTAssertEqual(b.delay(attempt: 1, retryAfter: nil, random: 0), 0)
        XCTAssertEqual(b.delay(attempt: 1, retryAfter: 5, random: 0.5), 5, "Retry-After is a floor")
        XCTAssertEqual(b.delay(attempt: 10, retryAfter: 1, random: 0.9), 18, accuracy: 1e-9)
    }

    func date(_ text: String) -> Date { PlanParser.parseRFC3339(text)! }

    func testWindowAcrossMidnight() {
        // 22:00-02:00 on Fridays (UTC): open Fri 23:00 and Sat 01:00, closed Sat 03:00 and Thu 23:00.
        let w = MaintenanceWindow(days: [6], start: 22 * 60, end: 2 * 60, timezone: "UTC")
        XCTAssertTrue(w.isOpen(at: date("2026-11-27T23:00:00Z")))  // Friday
        XCTAssertTrue(w.isOpen(at: date("2026-11-28T01:59:00Z")))  // Saturday early
        XCTAssertFalse(w.isOpen(at: date("2026-11-28T02:00:00Z")))
        XCTAssertFalse(w.isOpen(at: date("2026-11-26T23:00:00Z")))  // Thursday
        XCTAssertFalse(w.isOpen(at: date("2026-11-28T23:00:00Z")))  // Saturday night
        XCTAssertEqual(w.nextOpening(after: date("2026-11-28T03:00:00Z")), date("2026-12-04T22:00:00Z"))
    }

    func testWindowInAnotherTimeZone() {
        // 01:00-05:00 Asia/Shanghai (UTC+8) on weekdays = 17:00-21:00 UTC the day before.
        let w = MaintenanceWindow(days: [2, 3, 4, 5, 6], start: 60, end: 300, timezone: "Asia/Shanghai")
        XCTAssertTrue(w.isOpen(at: date("2026-11-26T17:30:00Z")))  // Fri 01:30 in Shanghai
        XCTAssertFalse(w.isOpen(at: date("2026-11-26T21:00:00Z")))  // Fri 05:00 in Shanghai
        XCTAssertFalse(w.isOpen(at: date("2026-11-27T17:30:00Z")))  // Sat 01:30 in Shanghai
        XCTAssertEqual(w.nextOpening(after: date("2026-11-27T12:00:00Z")), date("2026-11-29T17:00:00Z"), "Mon 01:00 Shanghai")
        XCTAssertEqual(w.nextOpening(after: date("2026-11-26T18:00:00Z")), date("2026-11-26T18:00:00Z"), "already open")
    }

    func testWindowAcrossDSTZone() {
        let w = MaintenanceWindow(start: 60, end: 120, timezone: "America/New_York")
        XCTAssertTrue(w.isOpen(at: date("2026-07-01T05:30:00Z")))  // 01:30 EDT
        XCTAssertTrue(w.isOpen(at: date("2026-12-01T06:30:00Z")))  // 01:30 EST
        XCTAssertFalse(w.isOpen(at: date("2026-12-01T05:30:00Z")))  // 00:30 EST
    }
}
