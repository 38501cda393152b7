import Foundation

/// One plan with its instances (`rebootctl status PLAN --json`, SPEC §7). The keys the contract
/// names (`ticket`; an instance's `zone`, `lastError`, `reason`) are always there, null when
/// empty; the others are left out when they have no value. Keys are only ever added.
public struct PlanDetailReport: Codable, Sendable {
    /// One instance of the plan.
    public struct InstanceReport: Codable, Sendable {
        public var id: String
        public var state: String
        public var batch: Int
        public var attempts: Int
        public var conflicts: Int
        public var lastError: String?
        public var lastStatus: String?
        public var observedNonRunning: Bool
        public var startedAt: String?
        public var finishedAt: String?
        /// Its availability zone, once the journal holds one (null until then).
        public var zone: String?
        /// Why it ended without rebooting (`PlanInstanceRecord.endReason`); null when it
        /// rebooted or has not ended.
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case id, state, batch, attempts, conflicts, lastError, lastStatus, observedNonRunning, startedAt, finishedAt, zone, reason
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(state, forKey: .state)
            try c.encode(batch, forKey: .batch)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(conflicts, forKey: .conflicts)
            try c.encode(lastError, forKey: .lastError)
            try c.encodeIfPresent(lastStatus, forKey: .lastStatus)
            try c.encode(observedNonRunning, forKey: .observedNonRunning)
            try c.encodeIfPresent(startedAt, forKey: .startedAt)
            try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
            try c.encode(zone, forKey: .zone)
            try c.encode(reason, forKey: .reason)
        }
    }

    public var id: String
    public var name: String
    /// The plan's change ticket; null when it has none.
    public var ticket: String?
    public var state: String
    public var sourceFile: String
    public var sha256: String
    public var submittedAt: String
    public var submitter: FileOwner
    public var currentBatch: Int
    public var batchCount: Int
    public var counts: [String: Int]
    public var finishedAt: String?
    public var reason: String?
    public var instances: [InstanceReport]

    enum CodingKeys: String, CodingKey {
        case id, name, ticket, state, sourceFile, sha256, submittedAt, submitter, currentBatch, batchCount, counts, finishedAt, reason,
            instances
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(ticket, forKey: .ticket)
        try c.encode(state, forKey: .state)
        try c.encode(sourceFile, forKey: .sourceFile)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(submittedAt, forKey: .submittedAt)
        try c.encode(submitter, forKey: .submitter)
        try c.encode(currentBatch, forKey: .currentBatch)
        try c.encode(batchCount, forKey: .batchCount)
        try c.encode(counts, forKey: .counts)
        try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(instances, forKey: .instances)
    }
}
