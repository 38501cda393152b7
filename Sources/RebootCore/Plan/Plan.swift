import Foundation

/// A validated reboot plan (SPEC §2): which instances, in which batches, with which limits.
public struct Plan: Sendable, Equatable, Codable {
    public var name: String
    /// The change ticket (SPEC §2): up to 128 printable characters, carried into the journal,
    /// every notification, status and the report; nil when the plan names none.
    public var ticket: String?
    public var instances: [String]
    public var batchSize: BatchSize
    public var forceStop = false
    public var pauseBetweenBatches: TimeInterval = 0
    public var maxFailures: FailureBudget = .count(0)
    public var rebootTimeout: TimeInterval = 600
    public var conflictRetry = ConflictRetry()
    public var window: MaintenanceWindow?
    public var startAfter: Date?
    public var region: String?
    public var dryRun = false
    /// Gates checked before every batch (SPEC §4.14), by name; nil when none (and in plans
    /// journaled before gates existed).
    public var healthGates: [String]?
    /// `select` (SPEC §2): resolved once when the plan starts; its ids then join `instances`.
    /// Optional fields, here and below: plans journaled before them decode as before.
    public var select: PlanSelection?
    /// `zones`; nil is `mixed`.
    public var zones: ZoneRolling?
    /// `pauseBetweenZones`; nil is `pauseBetweenBatches`.
    public var pauseBetweenZones: TimeInterval?
    /// `checkpoints`: after these batches (1-based) the plan pauses until `rebootctl resume`.
    public var checkpoints: [Int]?
    /// Each instance's zone, in `instances`' order, once the plan has started and learned them
    /// (from the listing, or by reading every instance before the first batch); nil before,
    /// and for `mixed` plans that list their ids.
    public var instanceZones: [String]?

    public init(name: String, instances: [String], batchSize: BatchSize) {
        self.name = name
        self.instances = instances
        self.batchSize = batchSize
    }

    /// The batches: with `zones: one-at-a-time` and the zones known, cut at every change of
    /// zone (the resolved `instances` are grouped by zone).
    public var layout: BatchLayout {
        if zones == .oneAtATime, let instanceZones, instanceZones.count == instances.count {
            return BatchLayout(zones: instanceZones, batchSize: batchSize)
        }
        return BatchLayout(total: instances.count, batchSize: batchSize)
    }

    /// The plan must learn things from the API when it starts, before its first batch: the ids
    /// `select` matches, or, for `zones: one-at-a-time`, every instance's zone.
    public var needsResolution: Bool { instanceZones == nil && (select != nil || zones == .oneAtATime) }

    /// The zone of batch `b`, when known.
    public func zone(ofBatch b: Int, layout: BatchLayout) -> String? {
        guard let instanceZones, b >= 0, b < layout.batches.count, layout.batches[b].lowerBound < instanceZones.count else { return nil }
        return instanceZones[layout.batches[b].lowerBound]
    }

    public static let maxInstances = 100_000
    public static let maxFileSize = 16 << 20
}
