import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl status [PLAN] [--json]`: every plan with state and counts, or one plan's instances.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show plans, or one plan's instances.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String?
    @Flag(help: "Print stable JSON.") var json = false

    func run() throws {
        let journal = try options.journal()
        if let plan {
            let id = try options.plan(plan, in: journal).id
            guard let report = try journal.detailReport(planId: id) else { throw CtlError(.noSuchPlan, "no plan \(SafeText.escaped(plan))") }
            if json { return try printJSON(report) }
            print(TextReports.detail(report))
        } else {
            let reports = try journal.summaryReports()
            if json { return try printJSON(["plans": reports]) }
            print(TextReports.summaries(reports))
        }
    }
}
