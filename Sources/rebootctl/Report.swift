import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl report PLAN --html FILE | --json`: the plan after the fact (SPEC §10).
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The plan after the fact: one self-contained HTML file, or the same data as JSON.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String
    @Option(help: "Write the HTML report to this file (inline CSS and SVG; it opens offline).") var html: String?
    @Flag(help: "Print the report's data as stable JSON.") var json = false

    func validate() throws {
        guard (html != nil) != json else { throw ValidationError("give exactly one of --html FILE or --json") }
    }

    func run() throws {
        let journal = try options.journal()
        guard let report = try journal.planReport(planId: try options.plan(plan, in: journal).id) else {
            throw CtlError(.noSuchPlan, "no plan \(SafeText.escaped(plan)) in the journal; `rebootctl status` lists them")
        }
        if json { return try printJSON(report) }
        guard let path = html else { return }
        let text = PlanReportHTML.render(report)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            let code = (error as NSError).code
            let denied = code == NSFileWriteNoPermissionError || code == Int(EACCES)
            throw CtlError(denied ? .permissionDenied : .cannotWrite, "cannot write \(SafeText.escaped(path)): \(error.localizedDescription)")
        }
        print(
            "wrote \(SafeText.escaped(path)) (\(text.utf8.count / 1024) KiB): plan \(SafeText.escaped(report.plan.id)), \(report.plan.state), \(report.instances.count) instances"
        )
    }
}
