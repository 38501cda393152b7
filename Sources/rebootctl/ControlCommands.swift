import ArgumentParser
import Foundation
import RebootCore

/// Drops `{planId}.{verb}` into the spool's `control/`; the daemon applies it within a second.
enum ControlDrop {
    static func send(_ verb: SpoolLayout.Verb, plan: String, options: ConfigOptions) throws {
        let config = try options.load()
        if plan != "all", let journal = try? options.journal() {
            guard let record = try journal.plan(id: plan) else { throw ValidationError("no plan \(SafeText.escaped(plan)) in \(config.journal)") }
            if ["succeeded", "failed", "cancelled"].contains(record.state) {
                throw ValidationError("plan \(SafeText.escaped(plan)) has already ended (\(record.state))")
            }
        }
        let spool = SpoolLayout(root: config.spoolDir)
        let dir = spool.control
        let name = SpoolLayout.controlName(planId: plan, verb: verb)
        // Exclusively created under an unpredictable hidden name, then renamed (never follows a planted link).
        do { try ExclusiveFile.place(Data(), directory: dir, finalName: name) } catch {
            throw ValidationError(SafeText.escaped("cannot write into \(dir): \(error)") + " (are you in the rebootd-submit group?)")
        }
        print("\(verb.rawValue) requested for \(SafeText.escaped(plan))")
    }
}

/// `rebootctl pause PLAN`.
struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop new reboot calls of a plan (polling goes on).")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id.") var plan: String
    func run() throws { try ControlDrop.send(.pause, plan: plan, options: options) }
}

/// `rebootctl resume PLAN` or `rebootctl resume --all` (after an account error, SPEC §4.5).
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume a paused plan, or every paused plan (--all, also lifting a pause after an account error).")
    @OptionGroup var options: ConfigOptions
    @Flag(help: "Resume every paused plan and lift the account pause.") var all = false
    @Argument(help: "A plan id.") var plan: String?

    func validate() throws {
        if all == (plan != nil) { throw ValidationError("give a plan id or --all, not both") }
    }

    func run() throws { try ControlDrop.send(.resume, plan: all ? "all" : plan ?? "", options: options) }
}

/// `rebootctl cancel PLAN`.
struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End a plan: no new calls, remaining instances cancelled.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id.") var plan: String
    func run() throws { try ControlDrop.send(.cancel, plan: plan, options: options) }
}
