import Foundation

/// Something that happened to a plan: state changes, batch starts, halts, dry-run layout.
public struct PlanEventRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var planId: String
    public var at: String
    public var kind: String
    public var detail: String

    public init(
        id: Int64? = nil, planId: String, at: String, kind: String, detail: String
    ) {
        self.id = id
        self.planId = planId
        self.at = at
        self.kind = kind
        self.detail = detail
    }
}
