import Foundation
import XCTest

@testable import RebootCore

/// A takeover measures another host's open attempt on the database's clock (SPEC §4.16 with
/// rule 4.8): the send as early, and the effect deadline as late, as the grant's reading allows.
final class TakeoverEvidenceTests: XCTestCase {
    func attempt(sentAt: String, deadline: String, bootId: String = "other-host") -> AttemptRecord {
        AttemptRecord(
            id: 1, planId: "p", instanceId: "i-a", attempt: 1, kind: "reboot", sentAt: sentAt, finishedAt: nil, httpStatus: nil,
            errorCode: nil, message: nil, requestId: nil, outcome: nil, sentBoottimeNs: 5, bootId: bootId, effectDeadline: deadline)
    }

    func testAnotherHostsAttemptIsMeasuredFromTheGrantsReadingOfTheDatabaseClock() throws {
        // The database's clock reads 12:00:10.000 at the grant, which took 0.2 s to come back;
        // the monotonic clock has nothing to do with either wall clock.
        let db = try XCTUnwrap(JournalTime.parse("2026-12-07T12:00:10.000Z"))
        let now = Date(timeIntervalSince1970: 5_000)  // monotonic, a second after the grant's send
        let reading = DatabaseClockReading(databaseNow: db, sent: now - 1, answered: now - 0.8)
        let open = attempt(sentAt: "2026-12-07T12:00:04.000Z", deadline: "2026-12-07T12:00:30.000Z")
        let (sent, expiry) = InDoubtEvidence.restartedSend(
            of: open, now: now, boot: BootStamp(nanoseconds: 9, bootId: "this-host"), minExpiry: 16, minRebootTime: 10, maxGap: 20,
            takeover: reading)
        // Sent at most 6 s before the grant plus the 1 s since its send: 7 s ago.
        XCTAssertEqual(now.timeIntervalSince(sent), 7, accuracy: 0.001)
        // The deadline is 20 s after the grant's reading, which was at least 0.8 s ago: at most
        // 19.2 s from now, so the expiry counted from the send is 26.2 s.
        XCTAssertEqual(expiry, 26.2, accuracy: 0.001)
        // Without the reading, another boot's send time is unknown: far longer ago.
        let (unknown, _) = InDoubtEvidence.restartedSend(
            of: open, now: now, boot: BootStamp(nanoseconds: 9, bootId: "this-host"), minExpiry: 16, minRebootTime: 10, maxGap: 20)
        XCTAssertGreaterThan(now.timeIntervalSince(unknown), 40)
    }

    func testTheSameBootsAttemptIsStillMeasuredOnTheBootClock() {
        let reading = DatabaseClockReading(databaseNow: Date(timeIntervalSince1970: 0), sent: Date(), answered: Date())
        let now = Date(timeIntervalSince1970: 5_000)
        let open = attempt(sentAt: "2026-12-07T12:00:04.000Z", deadline: "2026-12-07T12:00:30.000Z", bootId: "this-host")
        let (sent, expiry) = InDoubtEvidence.restartedSend(
            of: open, now: now, boot: BootStamp(nanoseconds: 3_000_000_005, bootId: "this-host"), minExpiry: 16, minRebootTime: 10, maxGap: 20,
            takeover: reading)
        XCTAssertEqual(now.timeIntervalSince(sent), 3, accuracy: 0.001)
        XCTAssertEqual(expiry, 26, accuracy: 0.001)
    }
}
