import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl submit FILE [--watch]`: validate, then place the file in `incoming/` atomically.
struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a plan and hand it to the daemon.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "The plan file.") var file: String
    @Flag(help: "Follow the plan until it ends.") var watch = false

    func run() throws {
        let config = try options.load()
        let verdicts = PlanVerdicts(options: options)
        let plan: PlanFile
        switch verdicts.check(file) {
        case .failure(let error):
            print("\(file): REJECTED\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"))
            throw ExitCode(65)
        case .success(let p):
            plan = p
        }
        let spool = SpoolLayout(root: config.spoolDir)
        let incoming = spool.incoming
        let name = (file as NSString).lastPathComponent
        let target = spool.path(.incoming, name)
        let temp = spool.path(.incoming, SpoolLayout.temporaryName(for: name))
        guard !FileManager.default.fileExists(atPath: target) else {
            throw ValidationError("\(target) already exists and has not been picked up yet; rename your file or wait")
        }
        do {
            try plan.data.write(to: URL(fileURLWithPath: temp))
            guard rename(temp, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temp)
            throw ValidationError("cannot write into \(incoming): \(String(cString: strerror(errno))) (are you in the rebootd-submit group?)")
        }
        print("submitted \(name) (plan \"\(plan.plan.name)\", \(plan.plan.instances.count) instances, \(plan.plan.layout.summary))")
        guard watch else { return }
        let planId = try waitForIntake(config: config, name: name, sha256: plan.sha256)
        try Watch.follow(planId: planId, options: options)
    }

    /// Waits until the daemon accepted (returns the plan id) or rejected the file.
    func waitForIntake(config: RebootdConfig, name: String, sha256: String) throws -> String {
        let deadline = Date() + 15
        while Date() < deadline {
            if let journal = try? options.journal(), let plan = try? journal.plans().last(where: { $0.sha256 == sha256 }) {
                print("accepted as \(plan.id)")
                return plan.id
            }
            let error = SpoolLayout(root: config.spoolDir).path(.rejected, SpoolLayout.errorName(for: name))
            if let text = try? String(contentsOfFile: error, encoding: .utf8) {
                print(text)
                throw ExitCode(65)
            }
            usleep(200_000)
        }
        throw ValidationError("the daemon did not pick the plan up within 15 s: is rebootd running with \(options.config)?")
    }
}
