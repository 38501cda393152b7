import Foundation

/// The rules an instance's events consult, as one plan and the daemon's settings give them:
/// rule 4.3 (`RebootOutcomeRule`), rule 4.4 (`ConflictPolicy`), rule 4.5 (`RetryPolicy`).
struct InstanceRules: Sendable {
    let outcome: RebootOutcomeRule
    let conflicts: ConflictPolicy
    let retry: RetryPolicy

    init(plan: Plan, retry: RebootdConfig.Retry) {
        outcome = RebootOutcomeRule(rebootTimeout: plan.rebootTimeout)
        conflicts = ConflictPolicy(plan.conflictRetry)
        self.retry = RetryPolicy(retry)
    }

    var rebootTimeout: TimeInterval { outcome.rebootTimeout }
}
