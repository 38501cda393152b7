import Foundation
import XCTest

@testable import RebootCore

/// Queued writes and their flush; events, controls, the account pause and intake.
extension JournalStoreConformanceTests {
    func checkASavedInstanceIsVisibleAfterTheFlushOnly() throws {
        try addPlan("a")
        var row = instanceRecords("a")[2]
        row.state = "failed"
        row.attempts = 3
        row.conflicts = 2
        row.lastError = "NoSuchObject"
        row.lastStatus = "Error"
        row.observedNonRunning = true
        row.startedAt = text(1)
        row.finishedAt = text(5)
        row.updatedAt = text(5)
        store.save(instance: row)
        XCTAssertTrue(store.hasPendingWrites)
        XCTAssertEqual(try store.instances(planId: "a")[2], instanceRecords("a")[2], "not before the flush")
        try store.flush()
        XCTAssertFalse(store.hasPendingWrites)
        XCTAssertEqual(try store.instances(planId: "a"), Array(instanceRecords("a")[0..<2]) + [row])
    }

    /// A commit that fails (here: an instance row that does not exist) throws, and its writes
    /// stay queued, in order, with those queued since: nothing is lost.
    func checkAFailedFlushThrowsAndKeepsItsWrites() throws {
        try addPlan("a")
        var saved = instanceRecords("a")[0]
        saved.state = "rebooted"
        var missing = instanceRecords("a")[0]
        missing.idx = 99
        store.save(instance: saved)
        store.save(instance: missing)
        XCTAssertThrowsError(try store.flush())
        XCTAssertTrue(store.hasPendingWrites)
        XCTAssertEqual(try store.instances(planId: "a")[0].state, "pending", "the failed commit wrote nothing")
        XCTAssertThrowsError(try store.flush(), "the bad write is still queued")
        XCTAssertEqual(try store.instances(planId: "a")[0].state, "pending")
    }

    func checkFlushWithNothingQueuedDoesNothing() throws {
        XCTAssertFalse(store.hasPendingWrites)
        try store.flush()
        XCTAssertFalse(store.hasPendingWrites)
        XCTAssertEqual(try store.plans(), [])
    }

    func checkEventsComeInTheOrderTheyWereAdded() throws {
        try addPlan("a")
        try addPlan("b")
        store.addEvent(planId: "a", at: time(3), kind: "batch-start", detail: "1")
        store.addEvent(planId: "b", at: time(1), kind: "batch-start", detail: "other")
        store.addEvent(planId: "a", at: time(2), kind: "batch-done", detail: "2")
        try store.flush()
        store.addEvent(planId: "a", at: time(4), kind: "succeeded", detail: "3")
        try store.flush()
        let events = try store.events(planId: "a")
        XCTAssertEqual(events.map(\.detail), ["by test", "1", "2", "3"], "in the order added, not by time")
        XCTAssertEqual(events.map(\.at), [text(0), text(3), text(2), text(4)])
        XCTAssertEqual(events.compactMap(\.id), events.compactMap(\.id).sorted())
        XCTAssertEqual(Set(events.compactMap(\.id)).count, 4)
        XCTAssertEqual(try store.events(planId: "b").map(\.detail), ["by test", "other"])
    }

    /// Controls are kept per plan id, `all` included (`resume --all`), in the order added.
    func checkControlsComeInOrderPerPlan() throws {
        try addPlan("a")
        store.addControl(control("a", "pause", at: 5))
        store.addControl(control("all", "resume", at: 6))
        store.addControl(control("a", "resume", at: 4))
        try store.flush()
        let own = try store.controls(planId: "a")
        XCTAssertEqual(own.map(\.verb), ["pause", "resume"])
        var expected = control("a", "pause", at: 5)
        expected.id = own[0].id
        XCTAssertNotNil(expected.id)
        XCTAssertEqual(own[0], expected)
        XCTAssertEqual(try store.controls(planId: "all").map { [$0.verb, $0.appliedAt] }, [["resume", text(6.5)]])
        XCTAssertEqual(try store.controls(planId: "b"), [])
    }

    /// The first account pause is kept until cleared; a second one does not move its start.
    func checkAccountPauseIsSetOnceUntilCleared() throws {
        XCTAssertNil(try store.accountPause())
        store.setAccountPause(code: "AccountSuspended", message: "billing", at: time(1))
        XCTAssertNil(try store.accountPause(), "queued until the flush")
        try store.flush()
        XCTAssertEqual(try store.accountPause(), AccountPauseRecord(code: "AccountSuspended", message: "billing", since: text(1)))
        store.setAccountPause(code: "Other", message: "later", at: time(2))
        try store.flush()
        XCTAssertEqual(try store.accountPause(), AccountPauseRecord(code: "AccountSuspended", message: "billing", since: text(1)))
        store.clearAccountPause()
        try store.flush()
        XCTAssertNil(try store.accountPause())
        store.setAccountPause(code: "Again", message: "m", at: time(3))
        try store.flush()
        XCTAssertEqual(try store.accountPause(), AccountPauseRecord(code: "Again", message: "m", since: text(3)))
    }

    /// A plan from the spool is inserted with its file, pending its move out of `incoming/`.
    func checkIntakeIsInsertedWithItsPlanAndMarkedMoved() throws {
        let k1 = key(1, sha256: "sha-one")
        let k2 = key(2, sha256: "sha-two")
        XCTAssertNil(try store.intake(k1))
        try addPlan("a", intake: (key: k1, fileName: "one.yaml", at: time(1)))
        try addPlan("b", intake: (key: k2, fileName: "two.yaml", at: time(2)))
        try addPlan("c")
        XCTAssertEqual(try store.intake(k1), IntakeRecord(planId: "a", fileName: "one.yaml", state: IntakeRecord.pendingMove))
        XCTAssertEqual(try store.pendingIntakes().map(\.planId), ["a", "b"])
        try store.markIntakeMoved(k1, at: time(3))
        XCTAssertEqual(try store.intake(k1), IntakeRecord(planId: "a", fileName: "one.yaml", state: IntakeRecord.moved))
        XCTAssertEqual(try store.pendingIntakes(), [IntakeRecord(planId: "b", fileName: "two.yaml", state: IntakeRecord.pendingMove)])
        XCTAssertNil(try store.intake(key(1, sha256: "other-content")), "same file, other content: another key")
        XCTAssertNil(try store.intake(IntakeKey(device: 64769, inode: 1, size: 121, mtimeNs: 1_700_000_000_123_456_789, sha256: "sha-one")))
    }

    /// The same file cannot be taken in twice: the plan's insert fails, and leaves no plan.
    func checkTheSameIntakeKeyTwiceFailsThePlansInsert() throws {
        try addPlan("a", intake: (key: key(1), fileName: "one.yaml", at: time(1)))
        XCTAssertThrowsError(try addPlan("b", intake: (key: key(1), fileName: "one.yaml", at: time(2))))
        XCTAssertNil(try store.plan(id: "b"), "the plan and its intake commit together or not at all")
        XCTAssertEqual(try store.intake(key(1))?.planId, "a")
    }

    func checkIntakeStallsAreRecordedUpdatedAndCleared() throws {
        XCTAssertNil(try store.intakeStall(sha256: "s1"))
        try store.recordIntakeStall(sha256: "s1", fileName: "slow.yaml", seconds: 12.5, at: time(1))
        try store.recordIntakeStall(sha256: "s2", fileName: "other.yaml", seconds: 3, at: time(1))
        XCTAssertEqual(try store.intakeStall(sha256: "s1"), 12.5)
        try store.recordIntakeStall(sha256: "s1", fileName: "slow.yaml", seconds: 40, at: time(2))
        XCTAssertEqual(try store.intakeStall(sha256: "s1"), 40)
        try store.clearIntakeStall(sha256: "s1")
        XCTAssertNil(try store.intakeStall(sha256: "s1"))
        XCTAssertEqual(try store.intakeStall(sha256: "s2"), 3)
    }
}
