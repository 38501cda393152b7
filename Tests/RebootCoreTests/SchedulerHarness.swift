import BCC
import Foundation
import RebootCore
import RebootTesting
import XCTest

/// A scheduler on a `ManualClock`, an in-memory journal and a `FakeCloud`.
final class SchedulerHarness {
    let clock = ManualClock()
    let journal: SQLiteJournal
    let cloud: FakeCloud
    var scheduler: Scheduler
    var settings: SchedulerSettings
    let gates: FakeGates
    /// Plan events the scheduler emitted for the notify targets, in order.
    let events = EventLog()

    init(
        ids: [String],
        settings: SchedulerSettings = SchedulerSettings(requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1),
        journal: SQLiteJournal? = nil
    ) throws {
        self.journal = try journal ?? SQLiteJournal()
        self.settings = settings
        cloud = FakeCloud(clock: clock, ids: ids)
        gates = FakeGates(clock: clock)
        let cloud = self.cloud
        scheduler = Scheduler(journal: self.journal, settings: settings, clock: clock, random: { 0.5 }, gates: gates, api: { _ in cloud })
        let events = self.events
        scheduler.notify = { events.append($0) }
        try scheduler.start()
    }

    /// A new scheduler on the same journal and cloud, as after a crash.
    func restart() throws {
        let cloud = self.cloud
        scheduler = Scheduler(journal: journal, settings: settings, clock: clock, random: { 0.5 }, gates: gates, api: { _ in cloud })
        let events = self.events
        scheduler.notify = { events.append($0) }
        try scheduler.start()
    }

    /// Plan events, collected from the scheduler queue.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [PlanNotification] = []
        func append(_ n: PlanNotification) { lock.withLock { list.append(n) } }
        var all: [PlanNotification] { lock.withLock { list } }
    }

    static func plan(_ ids: [String], batch: BatchSize = .fixed(.count(2)), _ tweak: (inout Plan) -> Void = { _ in }) -> Plan {
        var p = Plan(name: "test", instances: ids, batchSize: batch)
        tweak(&p)
        return p
    }

    @discardableResult
    func submit(_ plan: Plan) throws -> String {
        let data = try JSONEncoder().encode(plan)
        let file = PlanFile(
            path: "/x/\(plan.name).json", fileName: "\(plan.name).json", format: .json, plan: plan,
            sha256: PlanFile.sha256Hex(data + Data(UUID().uuidString.utf8)), data: data,
            owner: FileOwner(uid: 0, name: "root"))
        return try scheduler.submit(file).get().id
    }

    /// Runs virtual time in small steps until `done` holds or `limit` seconds pass.
    @discardableResult
    func run(for limit: TimeInterval, step: TimeInterval = 0.05, until done: () -> Bool = { false }) -> Bool {
        var elapsed: TimeInterval = 0
        scheduler.drain()
        while elapsed < limit {
            if done() { return true }
            clock.advance(by: step)
            scheduler.drain()
            elapsed += step
        }
        return done()
    }

    func planState(_ id: String) throws -> String { try XCTUnwrap(journal.plan(id: id)).state }

    func instances(_ id: String) throws -> [String: PlanInstanceRecord] {
        Dictionary(uniqueKeysWithValues: try journal.instances(planId: id).map { ($0.instanceId, $0) })
    }

    func finished(_ id: String) -> Bool {
        guard let state = try? journal.plan(id: id)?.state else { return false }
        return ["succeeded", "failed", "cancelled"].contains(state)
    }

    func control(_ plan: String, _ verb: String) throws {
        try scheduler.control(planId: plan, verb: verb, requestedBy: FileOwner(uid: 1000, name: "ops"), requestedAt: clock.wallNow())
    }

    static func ids(_ n: Int) -> [String] { (1...n).map { String(format: "i-%04d", $0) } }
}
