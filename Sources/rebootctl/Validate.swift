import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl validate FILE…`: the daemon's verdict (same code), plus the batch layout.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check plan files as the daemon would; exit 0 if all are valid, else 66 (a file is not there) or 77 (cannot be read), before 65 (a plan is bad)."
    )
    @OptionGroup var options: ConfigOptions
    @Argument(help: "Plan files (.yaml, .yml, .json).") var files: [String]

    func run() throws {
        let verdicts = PlanVerdicts(options: options)
        var code: Int32 = 0
        for file in files {
            // A file that is not there (66) or cannot be read (77) says more than a bad plan
            // (65): the first such file's code is the exit code, else 65 for any bad plan.
            if let error = PlanVerdicts.readError(file) {
                if code == 0 || code == 65 { code = error.kind.rawValue }
                FileHandle.standardError.write(Data("rebootctl: error: \(error.message)\n".utf8))
                continue
            }
            switch verdicts.check(file) {
            case .success(let plan):
                print(PlanVerdicts.describe(plan, file: file))
            case .failure(let error):
                if code == 0 { code = 65 }
                print("\(SafeText.escaped(file)): REJECTED\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"))
            }
        }
        if code != 0 { throw ExitCode(code) }
    }
}
