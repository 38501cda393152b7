import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Issue 23 #1 and #3 in virtual time: a call in doubt whose reboot is over before the first
/// reading, and a restart across a wall-clock step, must never be taken for a call that did not
/// take effect (SPEC §4.8). Both re-sent, and rebooted twice, before the evidence rule counted
/// from the send to the effect deadline on the boot clock.
final class InDoubtReadingsTests: XCTestCase {
    /// A fake cloud whose timeouts arrive `timeoutAfter` seconds of virtual time after the call,
    /// as a client's deadline does; every other answer is immediate.
    final class SlowTimeoutCloud: CloudAPI, @unchecked Sendable {
        let cloud: FakeCloud
        let timeoutAfter: TimeInterval
        let queue = DispatchQueue(label: "slow-timeouts")
        private let lock = NSLock()
        private var timers: [SchedulerTimer] = []

        init(cloud: FakeCloud, timeoutAfter: TimeInterval) {
            self.cloud = cloud
            self.timeoutAfter = timeoutAfter
        }

        func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void) {
            cloud.reboot(id, forceStop: forceStop) { result in
                guard case .failure(let error) = result, error.inDoubt else { return completion(result) }
                let timer = self.cloud.clock.makeTimer(queue: self.queue) { completion(result) }
                self.lock.withLock { self.timers.append(timer) }
                timer.schedule(at: self.cloud.clock.now() + self.timeoutAfter)
            }
        }

        func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void) {
            cloud.describe(ids, completion: completion)
        }
    }

    /// Runs one batch of 10 on `SlowTimeoutCloud` (3 of 10 answers lost past a 3 s timeout,
    /// reboots of 1.5 s) until the plan ends; returns the fake cloud, the journal and the plan.
    private func lostAnswers(_ settings: SchedulerSettings) throws -> (FakeCloud, SQLiteJournal, String, Set<String>) {
        let clock = ManualClock()
        let journal = try SQLiteJournal()
        let ids = SchedulerHarness.ids(10)
        let lost: Set<String> = ["i-0003", "i-0006", "i-0009"]
        let fake = FakeCloud(clock: clock, ids: ids)
        fake.rebootDuration = 1.5
        var first: Set<String> = []
        fake.rebootScript = { id in
            guard lost.contains(id), !first.contains(id) else { return nil }
            first.insert(id)
            return BCCError.timeout(seconds: 3, mutating: true)  // applied; the answer never came
        }
        let cloud = SlowTimeoutCloud(cloud: fake, timeoutAfter: 3)
        let scheduler = Scheduler(journal: journal, settings: settings, clock: clock, random: { 0.5 }, api: { _ in cloud })
        try scheduler.start()
        let plan = SchedulerHarness.plan(ids, batch: .fixed(.count(10)))
        let data = try JSONEncoder().encode(plan)
        let id = try scheduler.submit(
            PlanFile(
                path: "/x/fast.json", fileName: "fast.json", format: .json, plan: plan,
                sha256: PlanFile.sha256Hex(data), data: data, owner: FileOwner(uid: 0, name: "root"))
        ).get().id
        var done = false
        for _ in 0..<3000 where !done {
            clock.advance(by: 0.1)
            scheduler.drain()
            cloud.queue.sync {}
            done = ["succeeded", "failed", "cancelled"].contains(try journal.plan(id: id)?.state ?? "")
        }
        XCTAssertTrue(done, "the plan ended")
        return (fake, journal, id, lost)
    }

    /// The measurement, in virtual time: reboots of 1.5 s, 3 of 10 reboot answers lost
    /// past a 3 s timeout, the default `minRebootTime` (10 s). The old daemon read a lost call
    /// only after its timeout, when the reboot was over, saw Running, and sent it again:
    /// rebooted twice. Readings now start `pollInterval` (1 s) after the send: they see the
    /// reboot under way, and the call is known to have taken effect.
    func testAnUnansweredCallIsReadFromTheSendAndAFastRebootIsSeen() throws {
        let (fake, journal, id, lost) = try lostAnswers(SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1))
        XCTAssertEqual(fake.accepted.filter { $0.value > 1 }.keys.sorted(), [], "no instance rebooted twice")
        XCTAssertEqual(fake.rebootCalls.count, 10, "no call sent again")
        let rows = Dictionary(uniqueKeysWithValues: try journal.instances(planId: id).map { ($0.instanceId, $0) })
        XCTAssertEqual(rows.values.filter { $0.state == "rebooted" }.count, 10)
        let outcomes = try journal.attempts(planId: id).filter { lost.contains($0.instanceId) }.map(\.outcome)
        XCTAssertEqual(outcomes, ["applied", "applied", "applied"])
    }

    /// A reboot over before the first reading (here read only every 2 s, reboots of 1.5 s and a
    /// correct `minRebootTime` of 1 s): every reading says Running, but the first came later
    /// than a whole reboot: unknowable, never sent again, `failed (in-doubt)`.
    func testARebootOverBeforeTheFirstReadingIsNeverTakenForNoReboot() throws {
        let (fake, journal, id, lost) = try lostAnswers(SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 2, minRebootTime: 1))
        XCTAssertEqual(fake.accepted.filter { $0.value > 1 }.keys.sorted(), [], "no instance rebooted twice")
        XCTAssertEqual(fake.rebootCalls.count, 10, "no call sent again")
        let rows = Dictionary(uniqueKeysWithValues: try journal.instances(planId: id).map { ($0.instanceId, $0) })
        for instance in lost.sorted() {
            XCTAssertEqual(rows[instance]?.state, "failed", "\(instance): its reboot could have happened unseen")
            XCTAssertEqual(rows[instance]?.lastError, "in-doubt", instance)
        }
        XCTAssertEqual(rows.values.filter { $0.state == "rebooted" }.count, 7)
    }

    /// SPEC §4.8: once a call is in doubt it is read at most min(pollInterval, minRebootTime/2)
    /// apart. With a 4 s poll interval and reboots of at least 2 s, the readings came every 4 s,
    /// a gap longer than a reboot: a lost request (never applied) ended failed (in-doubt)
    /// instead of being shown not applied and sent again.
    func testACallInDoubtIsReadAtTheShorterSpacing() throws {
        let h = try SchedulerHarness(
            ids: ["i-d"],
            settings: SchedulerSettings(
                requestsPerSecond: 100, burst: 10, pollInterval: 4, minRebootTime: 2, requestTimeout: 1))
        var first = true
        h.cloud.inDoubtApplies = false  // the request was lost: no effect, no answer
        h.cloud.rebootScript = { _ in
            defer { first = false }
            return first ? BCCError.timeout(seconds: 1, mutating: true) : nil
        }
        let plan = try h.submit(SchedulerHarness.plan(["i-d"]))
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(try h.instances(plan)["i-d"]?.state, "rebooted", "shown not applied, sent again, rebooted")
        XCTAssertEqual(try h.journal.attempts(planId: plan).map(\.kind), ["reboot", "resend"])
        XCTAssertEqual(h.cloud.accepted["i-d"], 1)
        let polls = h.cloud.calls.compactMap { call -> Date? in if case .describe = call.call { return call.at } else { return nil } }
        let gaps = zip(polls, polls.dropFirst()).map { $1.timeIntervalSince($0) }
        XCTAssertLessThanOrEqual(
            gaps.prefix(5).max() ?? 99, 1.2, "readings about minRebootTime/2 apart (plus the virtual step), well under 4 s: \(gaps.prefix(5))")
    }

    /// Down 50 s with the wall clock stepped back 40 s, and the reboot over during the downtime.
    /// The old restart measured the time since the send on the wall clock (10 s, within the
    /// allowed gap), read Running for the grace, and sent the call again: rebooted twice.
    /// A plan of one instance whose reboot call went out (a 5 s reboot), then a crash that lost
    /// the answer: the scheduler is stopped and the attempt has no outcome.
    private func crashWithTheAnswerLost() throws -> (SchedulerHarness, String) {
        let h = try SchedulerHarness(ids: ["i-a"], settings: SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1))
        h.cloud.rebootDuration = 5
        let plan = try h.submit(SchedulerHarness.plan(["i-a"]))
        XCTAssertTrue(h.run(for: 2) { h.cloud.rebootCalls.count == 1 })
        let stopped = expectation(description: "stopped")
        h.scheduler.stop(grace: 1) { _ in stopped.fulfill() }
        wait(for: [stopped], timeout: 5)
        try h.journal.writer.write { db in
            try db.execute(sql: "UPDATE attempts SET outcome = NULL, finishedAt = NULL, httpStatus = NULL")
            try db.execute(sql: "UPDATE plan_instances SET state = 'rebooting'")
        }
        return (h, plan)
    }

    func testARestartMeasuresTheTimeSinceTheSendOnTheBootClock() throws {
        let (h, plan) = try crashWithTheAnswerLost()
        h.clock.advance(by: 50)
        h.clock.stepWall(by: -40)
        try h.restart()
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(h.cloud.accepted["i-a"], 1, "rebooted once")
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "never sent again")
        XCTAssertEqual(try h.instances(plan)["i-a"]?.lastError, "in-doubt")
    }

    /// A host reboot between the send and the restart: the boot clock cannot tell how long ago
    /// the call was sent, so a Running reading proves nothing.
    func testAnotherBootMakesTheTimeSinceTheSendUnknown() throws {
        let (h, plan) = try crashWithTheAnswerLost()
        h.clock.advance(by: 8)
        h.clock.rebootHost()
        try h.restart()
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        XCTAssertEqual(h.cloud.rebootCalls.count, 1, "never sent again")
        XCTAssertEqual(try h.instances(plan)["i-a"]?.lastError, "in-doubt")
        let attempt = try XCTUnwrap(h.journal.attempts(planId: plan).first)
        XCTAssertNotNil(attempt.sentBoottimeNs, "the send's boot clock is journaled")
        XCTAssertEqual(attempt.bootId, "manual-boot-1")
        XCTAssertNotNil(attempt.effectDeadline)
    }
}
