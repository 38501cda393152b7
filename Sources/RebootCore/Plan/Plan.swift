import Foundation

/// A validated reboot plan (SPEC §2): which instances, in which batches, with which limits.
public struct Plan: Sendable, Equatable, Codable {
    public var name: String
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

    public init(name: String, instances: [String], batchSize: BatchSize) {
        self.name = name
        self.instances = instances
        self.batchSize = batchSize
    }

    public var layout: BatchLayout { BatchLayout(total: instances.count, batchSize: batchSize) }

    public static let maxInstances = 100_000
    public static let maxFileSize = 16 << 20
}
