import Foundation

/// What `rebootctl status` prints, as stable JSON shapes (documented in the README).
public struct PlanSummaryReport: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// The plan's change ticket; left out when it has none.
    public var ticket: String?
    public var state: String
    public var submittedAt: String
    public var submitter: String
    public var instances: Int
    public var currentBatch: Int
    public var batchCount: Int
    public var counts: [String: Int]
    public var finishedAt: String?
    public var reason: String?
    /// The availability zone of the current batch, when known (`zones`, `select`: SPEC §2).
    public var zone: String?
}
