import RebootCore

/// `rebootctl status --json` without a PLAN: the plans listed, and how many older ended plans
/// the default list left out (0 with `--all`, `--state` or `--since`).
struct StatusList: Encodable {
    let plans: [PlanSummaryReport]
    let notShown: Int
}
