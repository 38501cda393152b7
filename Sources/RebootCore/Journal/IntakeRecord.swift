/// A file taken in from the spool: which plan it became, and whether it has left `incoming/`.
public struct IntakeRecord: Sendable, Equatable {
    public static let moved = "moved"
    public static let pendingMove = "pending-move"
    public let planId: String
    public let fileName: String
    public let state: String

    public init(planId: String, fileName: String, state: String) {
        self.planId = planId
        self.fileName = fileName
        self.state = state
    }
}
