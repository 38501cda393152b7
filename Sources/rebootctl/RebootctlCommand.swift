import ArgumentParser
import BCC
import Foundation
import RebootCore

/// `rebootctl`: the operators' tool. Every command takes `--config` to find the spool and the journal.
@main
struct RebootctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebootctl",
        abstract: "Validate, submit, watch and steer rebootd's rolling reboots.",
        version: RebootdVersion.string,
        subcommands: [Validate.self, Submit.self, Status.self, Watch.self, Pause.self, Resume.self, Cancel.self, History.self, Events.self, Report.self])

    /// Runs the command; a runtime failure (`CtlError`) prints one line and exits with its
    /// sysexits code, never the usage text (SPEC §7).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CtlError {
            FileHandle.standardError.write(Data("rebootctl: error: \(failure.message)\n".utf8))
            Glibc.exit(failure.kind.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
