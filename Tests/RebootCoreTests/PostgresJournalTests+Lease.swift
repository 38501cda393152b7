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
