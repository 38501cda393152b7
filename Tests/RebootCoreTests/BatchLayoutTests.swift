import Foundation
import XCTest

@testable import RebootCore

/// Batch layout for every batchSize form, and durations.
final class BatchLayoutTests: XCTestCase {
    func testCount() {
        XCTAssertEqual(BatchLayout(total: 7, batchSize: .fixed(.count(3))).sizes, [3, 3, 1])
        XCTAssertEqual(BatchLayout(total: 2, batchSize: .fixed(.count(10))).sizes, [2])
    }

    func testPercentRoundsUpWithMinimumOne() {
        XCTAssertEqual(BatchLayout(total: 10, batchSize: .fixed(.percent(25))).sizes, [3, 3, 3, 1])
        XCTAssertEqual(BatchLayout(total: 3, batchSize: .fixed(.percent(1))).sizes, [1, 1, 1])
        XCTAssertEqual(BatchLayout(total: 200, batchSize: .fixed(.percent(100))).sizes, [200])
    }

    func testCanaryListLastEntryRepeats() {
        let layout = BatchLayout(total: 200, batchSize: .list([.count(1), .count(10), .percent(25)]))
        XCTAssertEqual(layout.sizes, [1, 10, 50, 50, 50, 39])
        XCTAssertEqual(layout.batches.first, 0..<1)
        XCTAssertEqual(layout.batches.last, 161..<200)
        XCTAssertEqual(layout.summary, "6 batches: 1, 10, 50 ×3, 39")
        XCTAssertEqual(BatchLayout(total: 3, batchSize: .list([.count(5), .count(1)])).sizes, [3])
    }

    func testDurations() {
        XCTAssertEqual(DurationParser.parse("300ms"), 0.3)
        XCTAssertEqual(DurationParser.parse("90s"), 90)
        XCTAssertEqual(DurationParser.parse("5m"), 300)
        XCTAssertEqual(DurationParser.parse("1h30m"), 5400)
        XCTAssertEqual(DurationParser.parse("2.5"), 2.5)
        XCTAssertEqual(DurationParser.parse("0"), 0)
        for bad in ["", "-5", "5x", "m", "1h30", "abc", "-1s"] { XCTAssertNil(DurationParser.parse(bad), bad) }
        XCTAssertEqual(DurationParser.format(5400), "1h30m")
    }
}

/// Journal times: UTC, millisecond precision, sortable text; plan-id prefixes.
final class JournalTimeTests: XCTestCase {
    func testFormatParseAndCompact() {
        let date = Date(timeIntervalSince1970: 1_795_808_663.1076)
        XCTAssertEqual(JournalTime.format(date), "2026-11-27T19:44:23.108Z")
        XCTAssertEqual(JournalTime.parse("2026-11-27T19:44:23.108Z")!.timeIntervalSince1970, 1_795_808_663.108, accuracy: 0.0005)
        XCTAssertEqual(JournalTime.compact(date), "20261127T194423Z")
        XCTAssertLessThan(JournalTime.format(date), JournalTime.format(date + 0.01))
    }
}
