/// Why a plan makes no new reboot calls any more, for good (SPEC §4.6, §4.10). Journaled in
/// the same transaction as the decision (`plans.stopRequest`) and restored after a restart, so a
/// restarted daemon never calls an instance of a halted or cancelled plan again and reports
/// the plan `failed` or `cancelled`, never `succeeded`.
public enum PlanStop: String, Sendable, Codable, CaseIterable {
    /// The failure budget was exceeded: the plan ends `failed`; what was left is `skipped`.
    case halt
    /// An operator cancelled: the plan ends `cancelled`; what was left is `cancelled`.
    case cancel

    /// The state given to the instances the stop leaves behind.
    public var leftInstanceState: InstanceState { self == .halt ? .skipped : .cancelled }
    /// The plan's end state.
    public var planEndState: PlanState { self == .halt ? .failed : .cancelled }
    public var leftReason: String { self == .halt ? "plan halted" : "plan cancelled" }
}
