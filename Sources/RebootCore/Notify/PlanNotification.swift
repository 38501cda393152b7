import Foundation

/// One plan event sent to the `notify` targets (SPEC §4.15). Its JSON form is the `json`
/// format's documented, versioned schema (README, "Notifications").
public struct PlanNotification: Sendable, Equatable, Codable {
    /// What happened.
    public enum Event: String, Sendable, Codable, CaseIterable {
        case planAccepted = "plan-accepted"
        case planStarted = "plan-started"
        case batchFinished = "batch-finished"
        case planPaused = "plan-paused"
        case gateBlocked = "gate-blocked"
        case planHalted = "plan-halted"
        case planFinished = "plan-finished"
    }

    /// Who paused a plan.
    public enum Cause: String, Sendable, Codable {
        case byOperator = "operator"
        case account
        /// A plan's `checkpoints` (SPEC §2): it waits for an approval.
        case checkpoint
    }

    /// The schema's version; bumped only when a field changes meaning or goes away.
    public var version = 1
    public var event: Event
    public var planId: String
    public var planName: String
    /// The plan's state when the event happened (for `plan-finished`, its end state).
    public var state: String
    /// The batch concerned (1-based), if any.
    public var batch: Int?
    public var batchCount: Int
    /// Instances by state.
    public var counts: [String: Int]
    public var instances: Int
    /// Why: the halt's or pause's reason, the blocked gate's result.
    public var reason: String?
    /// For `plan-paused`: an operator's pause or an account error's.
    public var cause: Cause?
    /// When it happened (RFC 3339, UTC, milliseconds).
    public var time: String
    /// The plan's change ticket (SPEC §2); left out when the plan names none.
    public var ticket: String?
    /// The host whose rebootd sent the event: its host name, read once (`HostName.current`).
    public var host: String

    public init(
        event: Event, planId: String, planName: String, state: String, batch: Int? = nil, batchCount: Int,
        counts: [String: Int], instances: Int, reason: String? = nil, cause: Cause? = nil, ticket: String? = nil,
        time: String, host: String = HostName.current
    ) {
        self.event = event
        self.planId = planId
        self.planName = planName
        self.state = state
        self.batch = batch
        self.batchCount = batchCount
        self.counts = counts
        self.instances = instances
        self.reason = reason
        self.cause = cause
        self.time = time
        self.ticket = ticket
        self.host = host
    }

    /// One line for people (the chat formats): what happened, to which plan (with its ticket,
    /// when it has one), and why.
    public var summary: String {
        let plan = "plan \(planId)" + (ticket.map { " (ticket \($0))" } ?? "")
        var text: String
        switch event {
        case .planAccepted: text = "\(plan) accepted: \(instances) instances in \(batchCount) batches"
        case .planStarted: text = "\(plan) started: batch 1/\(batchCount)"
        case .batchFinished: text = "\(plan): batch \(batch ?? 0)/\(batchCount) finished"
        case .planPaused:
            text =
                "\(plan) paused"
                + (cause == .account ? " by an account error" : cause == .checkpoint ? " at a checkpoint, for an approval" : " by an operator")
        case .gateBlocked: text = "\(plan): batch \(batch ?? 0)/\(batchCount) waits for a health gate"
        case .planHalted: text = "\(plan) halted"
        case .planFinished: text = "\(plan) ended \(state)"
        }
        if let reason { text += ": \(reason)" }
        return text
    }

    /// `12 rebooted, 1 failed, …` in a fixed order.
    public var countsLine: String {
        let order = ["rebooted", "failed", "skipped", "cancelled", "rebooting", "waiting", "pending"]
        let parts = order.compactMap { state in counts[state].flatMap { $0 > 0 ? "\($0) \(state)" : nil } }
        return parts.isEmpty ? "no instances" : parts.joined(separator: ", ")
    }
}
