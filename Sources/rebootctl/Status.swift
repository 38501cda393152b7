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
        if plan != nil && (!state.isEmpty || since != nil) { throw ValidationError("--state and --since filter the list of plans, not one plan") }
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
            let reports = try journal.summaryReports().reversed().filter { p in
                (state.isEmpty || state.contains(p.state))
                    && (earliest.map { e in JournalTime.parse(p.submittedAt).map { $0 >= e } ?? true } ?? true)
            }
            if json { return try printJSON(["plans": reports]) }
            print(TextReports.summaries(reports))
        }
    }
}
