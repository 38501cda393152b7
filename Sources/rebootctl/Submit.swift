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
        if let error = PlanVerdicts.readError(file) { throw error }
        switch verdicts.check(file) {
        case .failure(let error):
            print("\(SafeText.escaped(file)): REJECTED\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"))
            throw ExitCode(65)
        case .success(let p):
            plan = p
        }
        try Self.hand(plan, name: (file as NSString).lastPathComponent, options: options, config: config, watch: watch)
    }

    /// Places a validated plan in `incoming/` as `name`, atomically, and waits for the daemon
    /// to take it (prints the plan id); with `watch`, follows the plan until it ends.
    /// `rebootctl resubmit --submit` hands its plan over the same way.
    static func hand(_ plan: PlanFile, name: String, options: ConfigOptions, config: RebootdConfig, watch: Bool) throws {
        let incoming = SpoolLayout(root: config.spoolDir).incoming
        // Taken before the file appears in incoming/: the plan made from this submission is
        // journaled after it, an older plan of the same content before it.
        let submittedAt = Date()
        do {
            try ExclusiveFile.place(plan.data, directory: incoming, finalName: name)
        } catch {
            throw CtlError(
                error.errno == EEXIST ? .cannotWrite : CtlError.kind(forErrno: error.errno),
                SafeText.escaped("cannot place the plan in \(incoming): \(error)")
                    + (error.errno == EEXIST ? "; rename your file or wait" : " (are you in the rebootd-submit group?)"))
        }
        print(
            "submitted \(SafeText.escaped(name)) (plan \"\(SafeText.escaped(plan.plan.name))\", \(plan.plan.instances.count) instances, \(plan.plan.layout.summary))"
        )
        // The id once the daemon has taken the file (SPEC §7); without a daemon, the file waits.
        guard DaemonLock.daemonRuns(spoolDir: config.spoolDir) != false else {
            if watch {
                throw CtlError(
                    .unavailable, "no rebootd is running on \(SafeText.escaped(config.spoolDir)): nothing to watch; the plan waits in incoming/")
            }
            return print("no rebootd is running: the plan waits in incoming/ for the next start")
        }
        let planId = try waitForIntake(
            options: options, config: config, name: name, sha256: plan.sha256, since: submittedAt, timeout: watch ? 15 : 10)
        guard watch else { return }
        try Watch.follow(planId: planId, options: options)
    }

    /// Waits until the daemon accepted (returns the plan id) or rejected the file submitted at
    /// `since`. A plan of the same content that ran before, or a `.error` left from an earlier
    /// rejection of a file of the same name, is not this submission's outcome.
    static func waitForIntake(
        options: ConfigOptions, config: RebootdConfig, name: String, sha256: String, since: Date, timeout: TimeInterval
    ) throws -> String {
        // Journal times are rounded to the millisecond.
        let earliest = since.addingTimeInterval(-0.002)
        let deadline = Date() + timeout
        while Date() < deadline {
            if let journal = try? options.journal(),
                let plan = try? journal.plans().last(where: {
                    $0.sha256 == sha256 && $0.sourceFile == name && (JournalTime.parse($0.submittedAt).map { $0 >= earliest } ?? false)
                })
            {
                print("accepted as \(SafeText.escaped(plan.id))")
                return plan.id
            }
            if let text = Self.rejection(in: SpoolLayout(root: config.spoolDir).rejected, name: name, since: earliest) {
                print(text.split(separator: "\n", omittingEmptySubsequences: false).map { SafeText.escaped(String($0)) }.joined(separator: "\n"))
                throw ExitCode(65)
            }
            usleep(200_000)
        }
        throw CtlError(
            .unavailable,
            "the daemon did not take the plan within \(Int(timeout)) s (it stays in incoming/): is rebootd running with \(SafeText.escaped(options.config))?"
        )
    }

    /// The text of `{name}.error` (or `{time}-{name}.error`, when the name was taken) in
    /// `rejected/`, written at `since` or later.
    static func rejection(in directory: String, name: String, since: Date) -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        for entry in entries where entry == name + ".error" || entry.hasSuffix("-" + name + ".error") {
            let path = directory + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
            guard modified >= since, let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            return text
        }
        return nil
    }
}
