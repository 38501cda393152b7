import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl validate FILE…`: the daemon's verdict (same code), plus the batch layout.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check plan files as the daemon would; exit 0 if all are valid, 65 if not (66: no such file, 77: cannot read it).")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "Plan files (.yaml, .yml, .json).") var files: [String]

    func run() throws {
        let verdicts = PlanVerdicts(options: options)
        var code: Int32 = 0
        for file in files {
            switch verdicts.check(file) {
            case .success(let plan):
                print(PlanVerdicts.describe(plan, file: file))
            case .failure(let error):
                // The first file's reason decides: a missing file (66) or an unreadable one (77)
                // says more than a bad plan (65).
                let rejected = PlanVerdicts.exitCode(rejecting: file)
                if code == 0 || code == 65 { code = rejected }
                print("\(SafeText.escaped(file)): REJECTED\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"))
            }
        }
        if code != 0 { throw ExitCode(code) }
    }
}
