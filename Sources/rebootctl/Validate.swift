import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl validate FILE…`: the daemon's verdict (same code), plus the batch layout.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check plan files as the daemon would; exit 0 if all are valid, 65 if not.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "Plan files (.yaml, .yml, .json).") var files: [String]

    func run() throws {
        let verdicts = PlanVerdicts(options: options)
        var bad = 0
        for file in files {
            switch verdicts.check(file) {
            case .success(let plan):
                print(PlanVerdicts.describe(plan, file: file))
            case .failure(let error):
                bad += 1
                print("\(SafeText.escaped(file)): REJECTED\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"))
            }
        }
        if bad > 0 { throw ExitCode(65) }
    }
}
