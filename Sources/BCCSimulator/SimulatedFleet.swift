import BCC
import Foundation

/// The simulated instances and their state machines, behind one lock.
///
/// `Running → (reboot) → Starting → Running` after a drawn duration; instances can start
/// `Starting` (they turn Running later) or be stuck in a status forever. Time-based transitions
/// are evaluated lazily against the injected clock, so no timers run.
public final class SimulatedFleet: @unchecked Sendable {
    /// One instance's record.
    struct Record {
        var status: InstanceStatus
        var transitionAt: Date?
        var reboots = 0
        var stuck = false
    }

    /// What a reboot attempt did.
    public enum RebootOutcome: Equatable, Sendable {
        case accepted
        case notRunning(InstanceStatus)
        case unknown
    }

    private let lock = NSLock()
    private var records: [String: Record] = [:]
    public let order: [String]
    private var rng: SeededGenerator
    private let rebootRange: ClosedRange<TimeInterval>
    let now: @Sendable () -> Date

    public init(configuration c: SimulatorConfiguration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        rng = SeededGenerator(seed: c.seed)
        rebootRange = min(c.rebootMin, c.rebootMax)...max(c.rebootMin, c.rebootMax)
        order = c.fleet.map(\.id)
        let start = now()
        for (id, status) in c.fleet {
            var record = Record(status: status)
            record.stuck = c.stuck.contains(id)
            if status == .starting && !record.stuck { record.transitionAt = start + c.startingFor }
            records[id] = record
        }
    }

    /// Draws a uniform number in [0, 1) from the seeded generator.
    public func draw() -> Double {
        lock.lock()
        defer { lock.unlock() }
        return Double(rng.next() >> 11) / Double(1 << 53)
    }

    public func contains(_ id: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return records[id] != nil
    }

    public func status(_ id: String) -> InstanceStatus? {
        lock.lock()
        defer { lock.unlock() }
        return settle(id)?.status
    }

    public func statuses(_ ids: [String]) -> [String: InstanceStatus] {
        lock.lock()
        defer { lock.unlock() }
        var out: [String: InstanceStatus] = [:]
        for id in ids { if let r = settle(id) { out[id] = r.status } }
        return out
    }

    /// Reboots one instance if it is Running.
    public func reboot(_ id: String) -> RebootOutcome {
        lock.lock()
        defer { lock.unlock() }
        guard var record = settle(id) else { return .unknown }
        guard record.status.isRunning else { return .notRunning(record.status) }
        let duration =
            rebootRange.lowerBound == rebootRange.upperBound
            ? rebootRange.lowerBound
            : rebootRange.lowerBound + Double(rng.next() >> 11) / Double(1 << 53) * (rebootRange.upperBound - rebootRange.lowerBound)
        record.status = .starting
        record.transitionAt = now() + duration
        record.reboots += 1
        records[id] = record
        return .accepted
    }

    /// Something other than this reboot (a console start, a resize) takes a Running instance into
    /// `Starting` for `seconds`; the instance is Running again after. Returns its status now.
    public func beginOtherOperation(_ id: String, seconds: TimeInterval) -> InstanceStatus? {
        lock.lock()
        defer { lock.unlock() }
        guard var record = settle(id) else { return nil }
        guard record.status.isRunning else { return record.status }
        record.status = .starting
        record.transitionAt = now() + seconds
        records[id] = record
        return record.status
    }

    /// Every instance's status and accepted-reboot count, in fleet order.
    public func snapshot() -> [(id: String, status: InstanceStatus, reboots: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return order.compactMap { id in settle(id).map { (id, $0.status, $0.reboots) } }
    }

    /// Applies a due transition; must hold the lock.
    private func settle(_ id: String) -> Record? {
        guard var record = records[id] else { return nil }
        if let at = record.transitionAt, now() >= at {
            record.status = .running
            record.transitionAt = nil
            records[id] = record
        }
        return record
    }
}
