import ArgumentParser
import Foundation
import RebootCore

/// Drops `{planId}.{verb}` into the spool's `control/`, then waits up to 5 s for the daemon to
/// apply it and says what it did, or that no daemon runs and it waits for the next start
/// (SPEC §7).
enum ControlDrop {
    /// `argument` nil: every plan (`resume --all`).
    static func send(_ verb: SpoolLayout.Verb, plan argument: String?, options: ConfigOptions) throws {
        let config = try options.load()
        var plan = "all"
        if let argument {
            let journal = try options.journal()
            let record = try options.plan(argument, in: journal)
            if ["succeeded", "failed", "cancelled"].contains(record.state) {
                throw CtlError(.usage, "plan \(SafeText.escaped(record.id)) has already ended (\(record.state)); nothing to \(verb.rawValue)")
            }
            plan = record.id
        }
        let spool = SpoolLayout(root: config.spoolDir)
        let dir = spool.control
        let name = SpoolLayout.controlName(planId: plan, verb: verb)
        // The file's time, as the daemon reads it, may lag this clock: the kernel stamps files
        // from a coarse clock, and journal times are rounded to the millisecond.
        let requested = Date().addingTimeInterval(-0.05)
        // Exclusively created under an unpredictable hidden name, then renamed (never follows a planted link).
        do { try ExclusiveFile.place(Data(), directory: dir, finalName: name) } catch {
            if error.errno == EEXIST {
                return print("a \(verb.rawValue) of \(SafeText.escaped(plan)) is already waiting in \(SafeText.escaped(dir)) for the daemon")
            }
            throw CtlError(
                CtlError.kind(forErrno: error.errno),
                SafeText.escaped("cannot write into \(dir): \(error)") + " (are you in the rebootd-submit group?)")
        }
        guard DaemonLock.daemonRuns(spoolDir: config.spoolDir) != false else {
            return print("\(verb.rawValue) of \(SafeText.escaped(plan)) written; no rebootd is running, it is applied at the next start")
        }
        let deadline = Date() + 5
        while Date() < deadline {
            if let journal = try? options.journal(),
                let applied = try? journal.controls(planId: plan).last(where: {
                    // Matched by when it was requested: the file's time on this host's clock (the
                    // leader that applied it may be another host, with another clock). A standby
                    // journals it pending; the leader's result replaces that (SPEC §4.16).
                    $0.verb == verb.rawValue && $0.result != PostgresJournal.pendingControl
                        && (JournalTime.parse($0.requestedAt).map { $0 >= requested } ?? false)
                })
            {
                // The daemon may refuse it (the plan ended meanwhile, an unknown plan): not applied.
                if applied.result.hasPrefix("ignored") {
                    throw CtlError(.usage, "\(verb.rawValue) of \(SafeText.escaped(plan)) not applied: \(SafeText.escaped(applied.result))")
                }
                return print("\(verb.rawValue) of \(SafeText.escaped(plan)) applied: \(SafeText.escaped(applied.result))")
            }
            usleep(100_000)
        }
        if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(name)) {
            print(
                "\(verb.rawValue) of \(SafeText.escaped(plan)) written, not applied within 5 s; it stays in \(SafeText.escaped(dir)) for the daemon")
        } else {
            // A shared journal (SPEC §4.16): taken in, journaled, not yet applied by a leader.
            print("\(verb.rawValue) of \(SafeText.escaped(plan)) journaled, not applied within 5 s; the leader applies it (see rebootctl events)")
        }
    }
}

/// `rebootctl pause PLAN`.
struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop new reboot calls of a plan (polling goes on).")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String
    func run() throws { try ControlDrop.send(.pause, plan: plan, options: options) }
}

/// `rebootctl resume PLAN` or `rebootctl resume --all` (after an account error, SPEC §4.5).
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume a paused plan, or every paused plan (--all, also lifting a pause after an account error).")
    @OptionGroup var options: ConfigOptions
    @Flag(help: "Resume every paused plan and lift the account pause.") var all = false
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String?

    func validate() throws {
        if all == (plan != nil) { throw ValidationError("give a plan id or --all, not both") }
    }

    func run() throws { try ControlDrop.send(.resume, plan: all ? nil : plan, options: options) }
}

/// `rebootctl cancel PLAN`.
struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End a plan: no new calls, remaining instances cancelled.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String
    func run() throws { try ControlDrop.send(.cancel, plan: plan, options: options) }
}
