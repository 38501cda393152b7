/// How an instance ends, with its reason: the terminal transitions of `InstanceMachine`, named
/// (SPEC §4, "Instance states").
enum InstanceEnd: Sendable, Equatable {
    /// A poll sent after the accepted answer read `Running` (rule 4.3).
    case rebooted
    case failed(String)
    case skipped(String)
    /// A halt or a cancel left it behind (rules 4.6, 4.10).
    case left(PlanStop, String)

    /// The instance left behind by `stop`, with its usual reason.
    static func left(by stop: PlanStop) -> InstanceEnd { .left(stop, stop.leftReason) }

    var state: InstanceState {
        switch self {
        case .rebooted: .rebooted
        case .failed: .failed
        case .skipped: .skipped
        case .left(let stop, _): stop.leftInstanceState
        }
    }

    var reason: String? {
        switch self {
        case .rebooted: nil
        case .failed(let r), .skipped(let r), .left(_, let r): r
        }
    }

    var event: InstanceMachine.Event {
        switch self {
        case .rebooted: .rebootConfirmed
        case .failed: .failed
        case .skipped: .skipped
        case .left(.halt, _): .leftByHalt
        case .left(.cancel, _): .leftByCancel
        }
    }
}
