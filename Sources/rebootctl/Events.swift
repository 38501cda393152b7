import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl events PLAN [--json]`: the plan's journaled events (batches, controls, gate checks,
/// account pauses, halts, restarts) in order (SPEC §7).
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A plan's journaled events, in order.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String
    @Flag(help: "Print stable JSON.") var json = false

    /// One event in `--json` (stable: keys are only ever added).
    struct Entry: Encodable {
        let at: String
        let kind: String
        let detail: String
    }

    func run() throws {
        let journal = try options.journal()
        let record = try options.plan(plan, in: journal)
        // The plan's events and the controls applied to it (and `resume --all`), in time order.
        let controls = try journal.controls(planId: record.id) + journal.controls(planId: "all").filter { $0.appliedAt >= record.submittedAt }
        let events =
            (try journal.events(planId: record.id).map { (at: $0.at, kind: $0.kind, detail: $0.detail) }
            + controls.map {
                (at: $0.appliedAt, kind: "control", detail: "\($0.verb)\($0.planId == "all" ? " --all" : "") by \($0.requestedBy): \($0.result)")
            })
            .sorted { $0.at < $1.at }
        if json {
            struct Output: Encodable {
                let plan: String
                let events: [Entry]
            }
            return try printJSON(Output(plan: record.id, events: events.map { Entry(at: $0.at, kind: $0.kind, detail: $0.detail) }))
        }
        print("events of \(SafeText.escaped(record.id))")
        guard !events.isEmpty else { return print("  none yet") }
        for e in events {
            // Time and kind on one line, the detail under it: within 80 columns, nothing cut.
            print(TextReports.pad(SafeText.escaped(e.at), 25) + SafeText.escaped(e.kind))
            print("  " + SafeText.escaped(e.detail))
        }
    }
}
