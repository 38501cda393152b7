import BCC
import Foundation
import RebootCore
import RebootTesting
import XCTest

/// A reboot call goes out only before the send deadline its attempt's statement gave (SPEC
/// §4.16): the scheduler on a fenced PostgreSQL journal, in virtual time, with a cloud that
/// stalls between the journal's commit and the call's send.
final class SendDeadlineTests: XCTestCase {
    static let server = Result { try TestPostgres.start() }
    override class func tearDown() { try? server.get().stop() }

    final class Count: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int {
            lock.withLock {
                defer { n += 1 }
                return n
            }
        }
    }

    /// Runs one instance's plan; the first call stalls `stall` seconds (frozen) before its send.
    func run(stall: TimeInterval) throws -> (cloud: FakeCloud, attempts: [AttemptRecord]) {
        let server = try Self.server.get()
        let journal = try PostgresJournal(host: server.host, port: server.port, username: server.username, database: try server.createDatabase())
        let grant = try XCTUnwrap(try journal.acquireLease(holder: "me", lease: 15))
        journal.fence = .leading(epoch: grant.epoch, holder: "me", margin: 2)
        let clock = ManualClock()
        let cloud = FakeCloud(clock: clock, ids: ["i-a"])
        let first = Count()
        cloud.beforeSend = { _ in if first.next() == 0 { clock.jump(by: stall) } }
        let settings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1)
        let scheduler = Scheduler(journal: journal, settings: settings, clock: clock, random: { 0.5 }, api: { _ in cloud })
        try scheduler.start()
        let plan = Plan(name: "deadline", instances: ["i-a"], batchSize: .fixed(.count(1)))
        let data = try JSONEncoder().encode(plan)
        let file = PlanFile(
            path: "/x/deadline.json", fileName: "deadline.json", format: .json, plan: plan, sha256: PlanFile.sha256Hex(data), data: data,
            owner: FileOwner(uid: 0, name: "root"))
        let id = try scheduler.submit(file).get().id
        for _ in 0..<200 {
            scheduler.drain()
            if ["succeeded", "failed"].contains(try journal.plan(id: id)?.state ?? "") { break }
            clock.advance(by: 0.25)
        }
        scheduler.drain()
        XCTAssertEqual(try journal.plan(id: id)?.state, "succeeded")
        return (cloud, try journal.attempts(planId: id))
    }

    func testACallFrozenPastItsSendDeadlineIsNeverSentAndIsRetriedUnderAFreshOne() throws {
        // The lease had about 15 s, the margin is 2 s: about 13 s to send. Frozen for 14 s.
        let (cloud, attempts) = try run(stall: 14)
        XCTAssertEqual(cloud.notSent, ["i-a"], "the frozen call is not sent")
        XCTAssertEqual(cloud.rebootCalls.count, 1, "only the retry, under a fresh deadline, went out")
        XCTAssertEqual(cloud.accepted["i-a"], 1)
        XCTAssertEqual(attempts.first?.errorCode, "NotSent", "its attempt says it was not sent")
        XCTAssertEqual(attempts.last?.outcome, "accepted")
    }

    func testACallWithinItsSendDeadlineGoesOut() throws {
        let (cloud, attempts) = try run(stall: 10)
        XCTAssertEqual(cloud.notSent, [])
        XCTAssertEqual(cloud.rebootCalls.count, 1)
        XCTAssertEqual(attempts.map(\.outcome), ["accepted"])
    }
}
