import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl status [PLAN] [--json] [--state S] [--since DURATION]`: plans with state and
/// counts, newest first, or one plan's instances.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show plans, or one plan's instances.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String?
    @Flag(help: "Print stable JSON.") var json = false
    @Option(help: "Only plans in this state (queued, running, paused, waiting-window, waiting-gate, succeeded, failed, cancelled); repeatable.")
    var state: [String] = []
    @Option(help: "Only plans submitted within this long: 90m, 12h, 7d.", transform: Status.parseSince)
    var since: TimeInterval?
    @Flag(help: "Every plan the journal holds (by default: active plans and those that ended in the last 7 days).")
    var all = false

    /// How long an ended plan stays in the default list ("active and recent plans").
    static let recent: TimeInterval = 7 * 86400

    /// A duration for `--since`: the plan durations (`90m`, `12h`) or whole days (`7d`).
    static func parseSince(_ text: String) throws -> TimeInterval {
        if text.hasSuffix("d"), let days = Int(text.dropLast()), days > 0, days <= 3660 { return TimeInterval(days) * 86400 }
        switch DurationParser.check(text) {
        case .success(let seconds) where seconds > 0: return seconds
        case .success: throw ValidationError("--since must be greater than zero")
        case .failure(let failure):
            throw ValidationError("--since \(SafeText.escaped(text)) \(DurationParser.explain(failure)), or whole days such as 7d")
        }
    }

    func validate() throws {
        let known = PlanState.allCases.map(\.rawValue)
        if let bad = state.first(where: { !known.contains($0) }) {
            throw ValidationError("--state \(SafeText.escaped(bad)) is not a plan state; one of \(known.joined(separator: ", "))")
        }
        if plan != nil && (!state.isEmpty || since != nil || all) {
            throw ValidationError("--state, --since and --all filter the list of plans, not one plan")
        }
    }

    func run() throws {
        let journal = try options.journal()
        if let plan {
            let id = try options.plan(plan, in: journal).id
            guard let report = try journal.detailReport(planId: id) else { throw CtlError(.noSuchPlan, "no plan \(SafeText.escaped(plan))") }
            if json { return try printJSON(report) }
            print(TextReports.detail(report))
        } else {
            let earliest = since.map { Date() - $0 }
            let filtered = try journal.summaryReports().reversed().filter { p in
                (state.isEmpty || state.contains(p.state))
                    && (earliest.map { e in JournalTime.parse(p.submittedAt).map { $0 >= e } ?? true } ?? true)
            }
            // With no filter of its own, the list is the active plans and the recent ones.
            let everything = all || !state.isEmpty || since != nil
            let endedBefore = Date() - Self.recent
            let reports =
                everything
                ? filtered
                : filtered.filter { p in
                    guard let ended = p.finishedAt.flatMap(JournalTime.parse) else { return true }
                    return ended >= endedBefore
                }
            let older = filtered.count - reports.count
            if json { return try printJSON(StatusList(plans: reports, notShown: older)) }
            print(reports.isEmpty && older > 0 ? "no active or recent plans" : TextReports.summaries(reports))
            if older > 0 { print("(\(older) plan\(older == 1 ? "" : "s") that ended more than 7 days ago not shown: --all)") }
        }
    }
}
