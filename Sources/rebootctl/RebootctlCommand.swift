import ArgumentParser

/// `rebootctl`: the operators' tool. Every command takes `--config` to find the spool and the journal.
@main
struct RebootctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebootctl",
        abstract: "Validate, submit, watch and steer rebootd's rolling reboots.",
        subcommands: [Validate.self, Submit.self, Status.self, Watch.self, Pause.self, Resume.self, Cancel.self, History.self, Report.self])
}
