import Foundation
import Logging
import RebootTesting
import XCTest

@testable import RebootCore

/// The keeper performs the lease machine's actions in virtual time, with scripted statements.
final class LeaseKeeperTests: XCTestCase {
    /// Statements that answer as scripted; a renewal can be made to hang until released.
    final class ScriptedStatements: LeaseStatements, @unchecked Sendable {
        let lock = NSLock()
        var grant: PostgresJournal.LeaseGrant? = .init(epoch: 7, remaining: 15, databaseNow: Date(timeIntervalSince1970: 1_000))
        var renewal: TimeInterval? = 15
        var renewals = 0
        var resigned: [Int64] = []
        let hang = DispatchSemaphore(value: 0)
        var hangRenewals = false

        func acquireLease(holder: String, lease: TimeInterval) throws -> PostgresJournal.LeaseGrant? { lock.withLock { grant } }
        func renewLease(epoch: Int64, holder: String, lease: TimeInterval) throws -> TimeInterval? {
            let (hanging, answer) = lock.withLock {
                renewals += 1
                return (hangRenewals, renewal)
            }
            if hanging { hang.wait() }
            return answer
        }
        func resignLease(epoch: Int64, holder: String) throws { lock.withLock { resigned.append(epoch) } }
        func lease() throws -> (epoch: Int64, holder: String, remaining: TimeInterval) { (7, "other", 10) }
    }

    /// What the owner was told, in order.
    final class Told: @unchecked Sendable {
        let lock = NSLock()
        var events: [String] = []
        func add(_ e: String) { lock.withLock { events.append(e) } }
        var all: [String] { lock.withLock { events } }
    }

    func makeKeeper(_ statements: ScriptedStatements, _ clock: ManualClock, _ told: Told) -> LeaseKeeper {
        LeaseKeeper(
            statements: statements, holder: "h/1/x", lease: 15, renewEvery: 3, margin: 2, clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            events: .init(
                startLeading: { epoch, _ in told.add("start \(epoch)") }, stopLeading: { epoch, _ in told.add("stop \(epoch)") },
                renewed: { told.add("renewed") }))
    }

    /// Lets the keeper's two queues finish what they were given.
    func settle(_ keeper: LeaseKeeper) {
        for _ in 0..<3 {
            keeper.statementQueue.sync {}
            keeper.queue.sync {}
        }
    }

    func testTakesTheLeaseRenewsItAndIsToldOnce() {
        let clock = ManualClock()
        let statements = ScriptedStatements()
        let told = Told()
        let keeper = makeKeeper(statements, clock, told)
        keeper.start()
        settle(keeper)
        XCTAssertEqual(told.all, ["start 7"])
        XCTAssertEqual(keeper.leadingEpoch, 7)
        for _ in 0..<5 {
            clock.advance(by: 3)
            settle(keeper)
        }
        XCTAssertEqual(statements.renewals, 5)
        XCTAssertEqual(told.all, ["start 7"] + Array(repeating: "renewed", count: 5))
        XCTAssertEqual(keeper.leadingEpoch, 7, "renewed every 3 s, the lease stays trusted")
    }

    /// A renewal that hangs must not delay the end of trust: the timer is on another queue than
    /// the statements (a keeper on one queue would tell nobody until the statement gave up).
    func testAHangingRenewalEndsLeadershipWhenTrustRunsOutNotWhenItAnswers() {
        let clock = ManualClock()
        let statements = ScriptedStatements()
        let told = Told()
        let keeper = makeKeeper(statements, clock, told)
        keeper.start()
        settle(keeper)
        statements.lock.withLock { statements.hangRenewals = true }
        clock.advance(by: 3)  // the renewal is sent, and hangs
        keeper.queue.sync {}
        clock.advance(by: 9.5)  // 12.5 s after the grant: trusted until 13
        keeper.queue.sync {}
        XCTAssertEqual(told.all, ["start 7"])
        clock.advance(by: 0.6)
        keeper.queue.sync {}
        XCTAssertEqual(told.all, ["start 7", "stop 7"], "trust ends 2 s before the lease, with the statement still out")
        XCTAssertNil(keeper.leadingEpoch)
        statements.hang.signal()  // the late answer revives nothing
        settle(keeper)
        XCTAssertEqual(told.all, ["start 7", "stop 7"])
    }

    func testACommitThatFoundTheLeaseGoneEndsLeadership() {
        let clock = ManualClock()
        let statements = ScriptedStatements()
        let told = Told()
        let keeper = makeKeeper(statements, clock, told)
        keeper.start()
        settle(keeper)
        keeper.fencedOut(epoch: 7)
        settle(keeper)
        XCTAssertEqual(told.all, ["start 7", "stop 7"])
    }

    func testAStandbyTriesEveryRenewIntervalAndAtOnceWhenTheLeaderHandsOver() {
        let clock = ManualClock()
        let statements = ScriptedStatements()
        statements.grant = nil
        let told = Told()
        let keeper = makeKeeper(statements, clock, told)
        keeper.start()
        settle(keeper)
        clock.advance(by: 1)
        settle(keeper)
        XCTAssertEqual(told.all, [])
        statements.lock.withLock { statements.grant = .init(epoch: 8, remaining: 15) }
        keeper.handoverHeard()
        settle(keeper)
        XCTAssertEqual(told.all, ["start 8"], "taken at the NOTIFY, not 2 s later at the next try")
    }

    func testResignHandsBackOnlyALeaseItLeads() {
        let clock = ManualClock()
        let statements = ScriptedStatements()
        let told = Told()
        let keeper = makeKeeper(statements, clock, told)
        keeper.start()
        settle(keeper)
        let done = expectation(description: "resigned")
        keeper.resign { done.fulfill() }
        wait(for: [done], timeout: 5)
        XCTAssertEqual(statements.resigned, [7])

        let standby = ScriptedStatements()
        standby.grant = nil
        let other = makeKeeper(standby, clock, Told())
        other.start()
        settle(other)
        let alsoDone = expectation(description: "stopped")
        other.resign { alsoDone.fulfill() }
        wait(for: [alsoDone], timeout: 5)
        XCTAssertEqual(standby.resigned, [])
    }
}
