import ArgumentParser
import BCC
import Foundation
import Logging
import RebootCore
import ServiceLifecycle
import UnixSignals

/// `rebootd`: the daemon in the foreground. Exit 0 on clean shutdown, 78 on a bad
/// configuration, 1 otherwise.
@main
struct RebootdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebootd",
        abstract: "Rolling reboots of Baidu Cloud BCC instances, from plans dropped in a spool directory.",
        version: RebootdVersion.string)

    @Option(help: "The configuration file (default: $REBOOTD_CONFIG, else \(RebootdConfig.defaultPath)).")
    var config: String?

    @Flag(help: "Validate the configuration and read the credentials, then exit 0 (valid) or 78; starts nothing.")
    var check = false

    /// The entry point: limits malloc to one arena before any thread allocates (issue 10: a
    /// plan parsed on one thread and run on another reuses the memory the parse freed), then
    /// runs the command as ArgumentParser does.
    static func main() async {
        MallocArenas.limit(to: 1)
        await main(nil)
    }

    func run() async throws {
        // Under an LD_PRELOAD such as libfaketime a Swift program sees no arguments; the
        // environment still reaches it.
        let environment = ProcessInfo.processInfo.environment["REBOOTD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let config = self.config ?? environment ?? RebootdConfig.defaultPath
        if check {
            do { print(try ConfigCheck.run(configPath: config)) } catch {
                FileHandle.standardError.write(Data("rebootd: \(error.description)\n".utf8))
                throw ExitCode(error.code.rawValue)
            }
            return
        }
        LoggingSystem.bootstrap { JournaldLogHandler(label: $0) }
        var logger = Logger(label: "rebootd")
        let daemon: RebootDaemon
        do {
            if let level = (try? ConfigLoader.load(path: config)).flatMap({ Logger.Level(rawValue: $0.logLevel) }) {
                logger.logLevel = level
            }
            daemon = try RebootDaemon(configPath: config, logger: logger)
        } catch {
            logger.critical("\(error.description)")
            throw ExitCode(error.code.rawValue)
        }
        // The daemon's parts run as one ServiceGroup: SIGTERM/SIGINT shut it down gracefully,
        // SIGHUP reloads. The group traps SIGTERM/SIGINT before its services start, and the
        // scheduler service starts the daemon; SIGHUP is trapped here, before anything.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let group = ServiceGroup(
            configuration: .init(
                services: daemon.services(hangups: hangups).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do { try await group.run() } catch {
            logger.critical("stopped with an error: \(error)")
            throw ExitCode(1)
        }
    }
}
