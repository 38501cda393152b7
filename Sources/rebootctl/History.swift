import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl history INSTANCE [--json]`: every attempt on one instance, across plans.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every reboot attempt on one instance, across plans.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "An instance id.") var instance: String
    @Flag(help: "Print stable JSON.") var json = false

    func run() throws {
        let attempts = try options.journal().attempts(instanceId: instance)
        if json { return try printJSON(HistoryReport(instance: instance, attempts: attempts)) }
        guard !attempts.isEmpty else { return print("no attempts on \(SafeText.escaped(instance))") }
        // The plan id on a line of its own: never cut, within 80 columns.
        print(TextReports.pad("SENT", 25) + TextReports.pad("#", 3) + "OUTCOME\n  PLAN")
        for a in attempts {
            var outcome = a.outcome ?? "no outcome (in doubt)"
            if let code = a.errorCode { outcome += " \(a.httpStatus.map { "\($0) " } ?? "")\(code)" }
            if a.kind == "resend" { outcome += " (re-send)" }
            print(TextReports.pad(TextReports.e(a.sentAt), 25) + TextReports.pad("\(a.attempt)", 3) + String(TextReports.e(outcome).prefix(52)))
            print("  " + TextReports.e(a.planId))
        }
    }
}
