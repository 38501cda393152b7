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
        subcommands: [
            Validate.self, Preview.self, Submit.self, Resubmit.self, Status.self, Watch.self, Pause.self, Resume.self, Cancel.self, History.self,
            Events.self, Report.self,
        ])

    /// Runs the command; a runtime failure (`CtlError`) prints one line and exits with its
    /// sysexits code, never the usage text (SPEC §7).
    static func main() {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            try command.run()
        } catch let failure as CtlError {
            fail(failure.kind.rawValue, failure.message)
        } catch let error where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // ArgumentParser's own: usage errors, --help and --version (run by its HelpCommand), exit codes.
            exit(withError: error)
        } catch {
            // Anything else (the journal unreadable mid-way, say) is a runtime failure too.
            fail(CtlError.Kind.unavailable.rawValue, SafeText.escaped("\(error)"))
        }
    }

    static func fail(_ code: Int32, _ message: String) -> Never {
        FileHandle.standardError.write(Data("rebootctl: error: \(message)\n".utf8))
        Glibc.exit(code)
    }
}
