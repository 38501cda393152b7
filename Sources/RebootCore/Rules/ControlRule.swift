/// Rule 4.10: what an operator's `pause`, `resume` or `cancel` does to a plan, and the words
/// the daemon answers with (journaled with the control, printed by `rebootctl`). A running
/// plan's controls are events of its `PlanMachine`; this rule decides for a plan that has not
/// started (queued, or paused before it started), which has no machine yet.
enum ControlRule {
    /// What a control does to a plan that has not started.
    enum NotStarted: Sendable, Equatable {
        /// It ends `cancelled`; its instances too.
        case cancel
        /// It stays queued but will not start until resumed (`announce`: it was not paused yet).
        case pause(announce: Bool)
        /// Paused before it started, it is queued again.
        case requeue
        /// Nothing changes; the answer says why.
        case ignored(String)
    }

    /// The answer for a plan id the journal does not know.
    static let noSuchPlan = "ignored: no such plan"

    /// Decides for a journaled plan in `state` whose first batch has not started (`currentBatch`).
    static func notStarted(state: PlanState?, stateText: String, currentBatch: Int, verb: String) -> NotStarted {
        let queued = state == .queued
        let pausedQueued = state == .paused && currentBatch < 0
        guard queued || pausedQueued else { return .ignored("ignored: plan is \(stateText)") }
        switch verb {
        case "cancel": return .cancel
        case "pause": return .pause(announce: queued)
        case "resume" where pausedQueued: return .requeue
        default: return .ignored("ignored: plan is \(stateText)")
        }
    }

    /// The answer to each outcome for a plan that has not started.
    static func answer(_ outcome: NotStarted) -> String {
        switch outcome {
        case .cancel: "cancelled (it had not started)"
        case .pause: "paused (it will not start until resumed)"
        case .requeue: "resumed (queued)"
        case .ignored(let why): why
        }
    }

    /// The reason journaled with the plan for each outcome that changes it.
    static func reason(_ outcome: NotStarted) -> String? {
        switch outcome {
        case .cancel: "cancelled before it started"
        case .pause: "paused before it started"
        case .requeue, .ignored: nil
        }
    }

    /// The answer to a cancel refused because the plan already stopped for good.
    static func alreadyStopped(_ stop: PlanStop) -> String { "ignored: the plan is already \(stop == .halt ? "halted" : "cancelled")" }

    /// The answer to a verb that is none of the three.
    static func unknownVerb(_ verb: String) -> String { "ignored: unknown verb \(verb)" }
}
