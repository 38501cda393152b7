import Dispatch
import Foundation
import XCTest

@testable import RebootCore

/// The leader lease on a real PostgreSQL (SPEC §4.16, issue 27), on the database's clock.
extension PostgresJournalTests {
    func testTheLeaseIsTakenOnceRenewedByItsHolderOnlyAndHandedBack() throws {
        let database = try server().createDatabase()
        let a = try open(database)
        let b = try open(database)
        let first = try XCTUnwrap(try a.acquireLease(holder: "host-a:1:x", lease: 15))
        XCTAssertEqual(first.epoch, 1)
        XCTAssertEqual(first.remaining, 15, accuracy: 1)
        XCTAssertNil(try b.acquireLease(holder: "host-b:1:y", lease: 15), "a live lease is not taken")
        XCTAssertNil(try b.renewLease(epoch: 1, holder: "host-b:1:y", lease: 15), "nor renewed by another holder")
        XCTAssertNil(try a.renewLease(epoch: 2, holder: "host-a:1:x", lease: 15), "nor for another epoch")
        XCTAssertEqual(try XCTUnwrap(try a.renewLease(epoch: 1, holder: "host-a:1:x", lease: 20)), 20, accuracy: 1)
        try b.resignLease(epoch: 1, holder: "host-b:1:y")
        XCTAssertEqual(try a.lease().holder, "host-a:1:x", "only the holder hands it back")
        try a.resignLease(epoch: 1, holder: "host-a:1:x")
        let second = try XCTUnwrap(try b.acquireLease(holder: "host-b:1:y", lease: 15), "a standby takes a resigned lease at once")
        XCTAssertEqual(second.epoch, 2)
    }

    /// A lease that lapsed unseen (a paused leader, a lost renewal) is not renewed: its holder
    /// needs a new epoch, as anyone does.
    func testARenewalAfterTheLeaseExpiredFailsAndANewEpochIsNeeded() throws {
        let journal = try open(try server().createDatabase())
        let grant = try XCTUnwrap(try journal.acquireLease(holder: "h", lease: 0.3))
        let deadline = Date() + 10
        while try journal.lease().remaining > 0, Date() < deadline { usleep(50_000) }
        XCTAssertLessThanOrEqual(try journal.lease().remaining, 0, "the lease ran out on the database's clock")
        XCTAssertNil(try journal.renewLease(epoch: grant.epoch, holder: "h", lease: 15))
        XCTAssertEqual(try journal.acquireLease(holder: "h", lease: 15)?.epoch, grant.epoch + 1)
    }

    /// Three daemons starting at once, again and again: one leader per epoch, epochs strictly
    /// increasing (each round, the leader hands the lease back).
    func testThreeAcquirersAtOnceGiveOneLeaderPerEpoch() throws {
        let database = try server().createDatabase()
        let journals = try (0..<3).map { _ in try open(database) }
        var epochs: [Int64] = []
        for round in 0..<10 {
            final class Grants: @unchecked Sendable {
                let lock = NSLock()
                var list: [(Int, PostgresJournal.LeaseGrant)] = []
            }
            let grants = Grants()
            DispatchQueue.concurrentPerform(iterations: 3) { i in
                if let grant = try? journals[i].acquireLease(holder: "daemon-\(i)", lease: 15) {
                    grants.lock.withLock { grants.list.append((i, grant)) }
                }
            }
            XCTAssertEqual(grants.list.count, 1, "round \(round): one leader")
            guard let (i, grant) = grants.list.first else { continue }
            epochs.append(grant.epoch)
            try journals[i].resignLease(epoch: grant.epoch, holder: "daemon-\(i)")
        }
        XCTAssertEqual(epochs, Array(1...10).map(Int64.init), "strictly increasing, none lost")
    }
}

/// Reboot attempts journaled under the lease (SPEC §4.16).
extension PostgresJournalTests {
    func planWithOneInstance(_ journal: PostgresJournal) throws {
        let plan = PlanRecord(
            id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "s", submitterUid: 0, submitterName: "root",
            submittedAt: "2026-12-07T00:00:00.000Z", state: "running", parameters: "{}", instanceCount: 1, batchCount: 1, currentBatch: 0,
            updatedAt: "2026-12-07T00:00:00.000Z")
        let row = PlanInstanceRecord(
            planId: "p", idx: 0, instanceId: "i-a", batch: 0, state: "pending", attempts: 0, conflicts: 0, observedNonRunning: false,
            updatedAt: "2026-12-07T00:00:00.000Z")
        try journal.insertPlan(
            plan, instances: [row], event: PlanEventRecord(id: nil, planId: "p", at: "2026-12-07T00:00:00.000Z", kind: "submitted", detail: "t"),
            intake: nil)
    }

    func attempt(_ n: Int) -> AttemptRecord {
        AttemptRecord(
            id: nil, planId: "p", instanceId: "i-a", attempt: n, kind: "reboot", sentAt: "2026-12-07T00:00:01.000Z", finishedAt: nil,
            httpStatus: nil, errorCode: nil, message: nil, requestId: nil, outcome: nil, sentBoottimeNs: 1, bootId: "b",
            effectDeadline: "2026-12-07T00:00:17.000Z")
    }

    func testAttemptsAreJournaledOnlyUnderALiveLeaseWithTheirSendDeadline() throws {
        let database = try server().createDatabase()
        let leader = try open(database)
        let other = try open(database)
        try planWithOneInstance(leader)
        let grant = try XCTUnwrap(try leader.acquireLease(holder: "a", lease: 15))
        leader.fence = .leading(epoch: grant.epoch, holder: "a", margin: 2)
        let (ids, within) = try leader.beginLeasedAttempts([attempt(1)])
        XCTAssertEqual(ids.count, 1)
        XCTAssertEqual(within, 13, accuracy: 1, "the lease's time left minus the margin")
        // Journaled on the database's clock: the effect deadline is the send window's end plus
        // the record's expiry (16 s), so another host can measure it.
        let row = try XCTUnwrap(try leader.attempts(planId: "p").first)
        let sent = try XCTUnwrap(JournalTime.parse(row.sentAt))
        let deadline = try XCTUnwrap(row.effectDeadline.flatMap(JournalTime.parse))
        XCTAssertEqual(deadline.timeIntervalSince(sent), 13 + 16, accuracy: 1)
        XCTAssertEqual(sent.timeIntervalSince(grant.databaseNow), 0, accuracy: 5)

        // Too little left: nothing is journaled; what was queued commits (the lease is held).
        XCTAssertNotNil(try leader.renewLease(epoch: grant.epoch, holder: "a", lease: 1))
        leader.addEvent(planId: "p", at: Date(), kind: "note", detail: "still the leader")
        XCTAssertThrowsError(try leader.beginLeasedAttempts([attempt(2)])) {
            XCTAssertEqual($0 as? PostgresJournalError, .leaseLost(epoch: grant.epoch))
        }
        XCTAssertEqual(try leader.attempts(planId: "p").count, 1)
        XCTAssertTrue(try leader.events(planId: "p").contains { $0.kind == "note" })

        // Another epoch took over: the old one journals no attempt, and of its queued writes
        // only the outcome of the call it sent commits; its owner is told.
        let deadlineWait = Date() + 10
        while try other.lease().remaining > 0, Date() < deadlineWait { usleep(50_000) }
        let next = try XCTUnwrap(try other.acquireLease(holder: "b", lease: 15))
        XCTAssertEqual(next.epoch, grant.epoch + 1)
        let told = FencedOutEpochs()
        leader.whenFencedOut { epoch in told.add(epoch) }
        leader.finishAttempt(id: ids[0], at: Date(), httpStatus: 200, errorCode: nil, message: nil, requestId: "r", outcome: "accepted")
        leader.addEvent(planId: "p", at: Date(), kind: "stale", detail: "a stale leader's state")
        XCTAssertThrowsError(try leader.beginLeasedAttempts([attempt(2)]))
        XCTAssertEqual(told.all, [grant.epoch])
        XCTAssertFalse(leader.hasPendingWrites, "dropped for good, not kept for a later commit")
        XCTAssertEqual(try other.attempts(planId: "p").first?.outcome, "accepted", "an outcome is a fact")
        XCTAssertFalse(try other.events(planId: "p").contains { $0.kind == "stale" })

        other.fence = .leading(epoch: next.epoch, holder: "b", margin: 2)
        XCTAssertEqual(try other.beginLeasedAttempts([attempt(2)]).ids.count, 1)
        XCTAssertEqual(try other.attempts(planId: "p").map(\.attempt), [1, 2])
    }

    /// A flush by a leader whose lease lapsed unseen commits only outcomes (Temporal's
    /// `range_id` check, SPEC §4.16); a standby's flush likewise.
    func testAFlushUnderALostLeaseCommitsOnlyOutcomesAndSaysSo() throws {
        let database = try server().createDatabase()
        let leader = try open(database)
        try planWithOneInstance(leader)
        let grant = try XCTUnwrap(try leader.acquireLease(holder: "a", lease: 2))
        leader.fence = .leading(epoch: grant.epoch, holder: "a", margin: 0.5)
        let ids = try leader.beginLeasedAttempts([attempt(1)]).ids
        let deadline = Date() + 10
        while try leader.lease().remaining > 0, Date() < deadline { usleep(50_000) }
        leader.finishAttempt(id: ids[0], at: Date(), httpStatus: 200, errorCode: nil, message: nil, requestId: "r", outcome: "accepted")
        leader.updatePlan(id: "p", state: "failed", currentBatch: 0, at: Date(), finished: true, reason: "stale")
        // The caller learns that what it queued did not land (a control file must then stay).
        XCTAssertThrowsError(try leader.flush()) { XCTAssertEqual($0 as? PostgresJournalError, .leaseLost(epoch: grant.epoch)) }
        XCTAssertEqual(try leader.attempts(planId: "p").first?.outcome, "accepted")
        XCTAssertEqual(try leader.plan(id: "p")?.state, "running", "a lapsed lease writes no plan state")
        XCTAssertFalse(leader.hasPendingWrites)

        leader.fence = .standingBy
        leader.updatePlan(id: "p", state: "failed", currentBatch: 0, at: Date(), finished: true, reason: "standby")
        XCTAssertThrowsError(try leader.flush()) { XCTAssertEqual($0 as? PostgresJournalError, .notLeader) }
        XCTAssertEqual(try leader.plan(id: "p")?.state, "running")
        XCTAssertThrowsError(try leader.beginLeasedAttempts([attempt(2)])) { XCTAssertEqual($0 as? PostgresJournalError, .notLeader) }
        // Outcomes alone commit without a word.
        leader.resolveAttempt(id: ids[0], outcome: "applied")
        XCTAssertNoThrow(try leader.flush())
    }
}

/// The epochs a journal said it was fenced out of.
final class FencedOutEpochs: @unchecked Sendable {
    private let lock = NSLock()
    private var epochs: [Int64] = []
    func add(_ epoch: Int64) { lock.withLock { epochs.append(epoch) } }
    var all: [Int64] { lock.withLock { epochs } }
}
