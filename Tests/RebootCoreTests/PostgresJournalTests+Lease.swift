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
        let (ids, within) = try leader.beginFencedAttempts([attempt(1)], epoch: grant.epoch, holder: "a", margin: 2)
        XCTAssertEqual(ids.count, 1)
        XCTAssertEqual(within, 13, accuracy: 1, "the lease's time left minus the margin")

        // Too little left: nothing is journaled, and what was queued stays queued.
        XCTAssertNotNil(try leader.renewLease(epoch: grant.epoch, holder: "a", lease: 1))
        leader.addEvent(planId: "p", at: Date(), kind: "note", detail: "an outcome is a fact")
        XCTAssertThrowsError(try leader.beginFencedAttempts([attempt(2)], epoch: grant.epoch, holder: "a", margin: 2)) {
            XCTAssertEqual($0 as? PostgresJournalError, .leaseLost(epoch: grant.epoch))
        }
        XCTAssertEqual(try leader.attempts(planId: "p").count, 1)
        XCTAssertTrue(leader.hasPendingWrites)
        try leader.flush()
        XCTAssertTrue(try leader.events(planId: "p").contains { $0.kind == "note" }, "recorded even without the lease")

        // Another epoch took over: the old one journals nothing.
        let deadline = Date() + 10
        while try other.lease().remaining > 0, Date() < deadline { usleep(50_000) }
        let next = try XCTUnwrap(try other.acquireLease(holder: "b", lease: 15))
        XCTAssertEqual(next.epoch, grant.epoch + 1)
        XCTAssertThrowsError(try leader.beginFencedAttempts([attempt(2)], epoch: grant.epoch, holder: "a", margin: 0))
        XCTAssertEqual(try other.beginFencedAttempts([attempt(2)], epoch: next.epoch, holder: "b", margin: 2).ids.count, 1)
        XCTAssertEqual(try other.attempts(planId: "p").map(\.attempt), [1, 2])
    }
}
