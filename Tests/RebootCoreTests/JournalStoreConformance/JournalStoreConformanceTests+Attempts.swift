import Foundation
import XCTest

@testable import RebootCore

/// Attempts: begun before their calls, finished, resolved, numbered and counted.
extension JournalStoreConformanceTests {
    func checkBeginAttemptsCommitsAtOnceAndReturnsIdsInOrder() throws {
        try addPlan("a")
        let ids = try store.beginAttempts([attempt("a", "i-a", number: 1), attempt("a", "i-b", number: 1), attempt("a", "i-c", number: 1)])
        XCTAssertEqual(ids.count, 3)
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, 3)
        XCTAssertFalse(store.hasPendingWrites)
        let stored = try store.attempts(planId: "a")
        XCTAssertEqual(stored.map(\.id), ids.map { Optional($0) })
        var expected = attempt("a", "i-b", number: 1)
        expected.id = ids[1]
        XCTAssertEqual(stored[1], expected, "every column, boot stamp and effect deadline included")
        XCTAssertEqual(stored[1].sentBoot, BootStamp(nanoseconds: 6_000_000_000, bootId: "boot-1"))
    }

    /// The writes queued before an attempt commit with it, before it: the call is never sent
    /// on a journal that has not recorded what led to it.
    func checkBeginAttemptsCommitsTheQueuedWritesFirst() throws {
        try addPlan("a")
        var rebooting = instanceRecords("a")[0]
        rebooting.state = "rebooting"
        rebooting.attempts = 1
        store.save(instance: rebooting)
        store.addEvent(planId: "a", at: time(1), kind: "batch-start", detail: "batch 1 of 2")
        XCTAssertTrue(store.hasPendingWrites)
        _ = try store.beginAttempts([attempt("a", "i-a", number: 1)])
        XCTAssertFalse(store.hasPendingWrites)
        XCTAssertEqual(try store.instances(planId: "a")[0], rebooting)
        XCTAssertEqual(try store.events(planId: "a").map(\.kind), ["submitted", "batch-start"])
    }

    func checkAFailedBeginKeepsTheQueuedWritesAndAddsNoAttempt() throws {
        try addPlan("a")
        store.addEvent(planId: "a", at: time(1), kind: "kept", detail: "d")
        // An attempt number below 1 is not an attempt: the store refuses it.
        XCTAssertThrowsError(try store.beginAttempts([attempt("a", "i-a", number: 1), attempt("a", "i-b", number: 0)]))
        XCTAssertEqual(try store.attempts(planId: "a"), [], "neither attempt of the failed begin")
        XCTAssertTrue(store.hasPendingWrites)
        try store.flush()
        XCTAssertEqual(try store.events(planId: "a").map(\.kind), ["submitted", "kept"])
    }

    func checkFinishAttemptRecordsItsOutcome() throws {
        try addPlan("a")
        let id = try XCTUnwrap(try store.beginAttempts([attempt("a", "i-a", number: 1)]).first)
        store.finishAttempt(
            id: id, at: time(2), httpStatus: 409, errorCode: "IncorrectState", message: "busy", requestId: "req-9",
            outcome: "conflict")
        XCTAssertNil(try store.attempts(planId: "a")[0].outcome, "queued until the flush")
        try store.flush()
        let row = try store.attempts(planId: "a")[0]
        XCTAssertEqual(
            [row.finishedAt, row.errorCode, row.message, row.requestId, row.outcome],
            [text(2), "IncorrectState", "busy", "req-9", "conflict"])
        XCTAssertEqual(row.httpStatus, 409)
        XCTAssertEqual(row.sentAt, text(1), "the send is kept")
    }

    func checkAttemptNumbersAreTheHighestPerInstance() throws {
        try addPlan("a")
        try addPlan("b")
        _ = try store.beginAttempts([attempt("a", "i-a", number: 1), attempt("a", "i-b", number: 1)])
        _ = try store.beginAttempts([attempt("a", "i-a", number: 2), attempt("a", "i-a", number: 3, kind: "resend")])
        _ = try store.beginAttempts([attempt("b", "i-a", number: 7)])
        XCTAssertEqual(try store.attemptNumbers(planId: "a"), ["i-a": 3, "i-b": 1])
        XCTAssertEqual(try store.attemptNumbers(planId: "b"), ["i-a": 7])
        XCTAssertEqual(try store.attemptNumbers(planId: "c"), [:])
    }

    /// Open: no outcome, or `in-doubt`. Counted against the retry budget: `transient` and
    /// `not-applied` only.
    func checkOpenAndCountedAttemptsFollowFinishAndResolve() throws {
        try addPlan("a")
        let ids = try store.beginAttempts((1...6).map { attempt("a", $0 <= 4 ? "i-a" : "i-b", number: $0) })
        finish(ids[0], "transient", status: 503)
        finish(ids[1], "in-doubt", status: nil)
        finish(ids[2], "in-doubt", status: nil)
        finish(ids[3], "accepted")
        finish(ids[4], "throttled", status: 429)
        try store.flush()
        XCTAssertEqual(try store.openAttempts(planId: "a").map(\.id), [ids[1], ids[2], ids[5]])
        XCTAssertEqual(try store.countedAttempts(planId: "a"), ["i-a": 1])
        store.resolveAttempt(id: ids[1], outcome: "not-applied")
        store.resolveAttempt(id: ids[2], outcome: "applied")
        try store.flush()
        XCTAssertEqual(try store.openAttempts(planId: "a").map(\.id), [ids[5]])
        XCTAssertEqual(try store.countedAttempts(planId: "a"), ["i-a": 2])
        let resolved = try store.attempts(planId: "a")[1]
        XCTAssertEqual(resolved.outcome, "not-applied")
        XCTAssertEqual(resolved.finishedAt, text(2), "resolving keeps the rest of the row")
    }

    func checkAttemptsOfAnInstanceSpanItsPlans() throws {
        try addPlan("a")
        try addPlan("b")
        let first = try store.beginAttempts([attempt("a", "i-a", number: 1), attempt("a", "i-b", number: 1)])
        let second = try store.beginAttempts([attempt("b", "i-a", number: 1)])
        XCTAssertEqual(
            try store.attempts(instanceId: "i-a").map { [$0.planId, "\($0.id ?? -1)"] },
            [["a", "\(first[0])"], ["b", "\(second[0])"]])
        XCTAssertEqual(try store.attempts(instanceId: "i-none"), [])
    }
}
