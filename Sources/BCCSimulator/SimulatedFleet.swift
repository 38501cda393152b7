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
    /// Each instance's attributes, aligned with `order` (fixed for the run, read without the lock).
    private let attributeList: [InstanceAttributes]
    /// Each id's first position in `order`.
    private let positions: [String: Int]
    private var rng: SeededGenerator
    private let rebootRange: ClosedRange<TimeInterval>
    let now: @Sendable () -> Date

    public init(configuration c: SimulatorConfiguration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        rng = SeededGenerator(seed: c.seed)
        rebootRange = min(c.rebootMin, c.rebootMax)...max(c.rebootMin, c.rebootMax)
        let ids = c.fleet.map(\.id)
        order = ids
        attributeList = ids.indices.map { c.attributes[ids[$0]] ?? InstanceAttributes.spread(index: $0, zones: c.zones) }
        var positions: [String: Int] = [:]
        for (index, id) in ids.enumerated() where positions[id] == nil { positions[id] = index }
        self.positions = positions
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

    /// The name, zone, tags and deploy sets of an instance; nil for an unknown id.
    public func attributes(_ id: String) -> InstanceAttributes? {
        positions[id].map { attributeList[$0] }
    }

    /// An instance as the describe and list calls answer it (status settled now).
    func instance(_ id: String) -> Instance? {
        guard let attributes = attributes(id), let status = status(id) else { return nil }
        return Self.instance(id, attributes, status)
    }

    static func instance(_ id: String, _ a: InstanceAttributes, _ status: InstanceStatus) -> Instance {
        Instance(id: id, name: a.name, status: status, zoneName: a.zoneName, tags: a.tags, deploySetIds: a.deploySetIds)
    }

    /// One page of the list call: walks `candidates` (`order` when nil, or the requested ids in
    /// their order) from the one named by `marker`, keeping those `filter` selects with the
    /// status they have now, at most `limit`. `next` is the id of the next selected instance (the
    /// next page's marker), nil at the end; `nil` as a whole when `marker` is not a candidate.
    func page(
        candidates: [String]?, filter: ListFilter, marker: String?, limit: Int
    ) -> (instances: [Instance], next: String?)? {
        let list = candidates ?? order
        var index = 0
        if let marker, !marker.isEmpty {
            guard let start = candidates == nil ? positions[marker] : list.firstIndex(of: marker) else { return nil }
            index = start
        }
        lock.lock()
        defer { lock.unlock() }
        var instances: [Instance] = []
        while index < list.count {
            let id = list[index]
            index += 1
            guard let position = positions[id], filter.matches(attributeList[position]), let record = settle(id),
                filter.matches(status: record.status)
            else { continue }
            if instances.count == limit { return (instances, id) }
            instances.append(Self.instance(id, attributeList[position], record.status))
        }
        return (instances, nil)
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
