import Foundation

/// One plan with its instances (`rebootctl status PLAN --json`).
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
    }

    public var id: String
    public var name: String
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
}
