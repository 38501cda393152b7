import Foundation
import Logging

@testable import RebootCore

/// A throwaway directory with credentials (0600) and a rebootd config for a daemon started in
/// process: endpoint on a closed loopback port, spool and journal inside the directory.
enum DaemonTestConfig {
    /// Makes the directory and writes the files (`extra`: more config lines, given the directory);
    /// returns the directory and the config's path.
    static func make(_ prefix: String, extra: (URL) -> String = { _ in "" }) throws -> (dir: URL, config: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let creds = dir.appendingPathComponent("c.yaml").path
        try "accessKeyId: a\nsecretAccessKey: b\n".write(toFile: creds, atomically: true, encoding: .utf8)
        chmod(creds, 0o600)
        let config = dir.appendingPathComponent("rebootd.yaml").path
        try """
        endpoint: http://127.0.0.1:9
        credentialsFile: \(creds)
        spoolDir: \(dir.path)/spool
        journal: \(dir.path)/journal.sqlite

        """.appending(extra(dir)).write(toFile: config, atomically: true, encoding: .utf8)
        return (dir, config)
    }

    /// A daemon for the config in `dir`, not started, that sends its systemd messages to a
    /// listener on `dir/n.sock` (plus `environment`, e.g. `WATCHDOG_USEC`); its logger is quiet.
    static func notifyingDaemon(dir: URL, config: String, environment: [String: String] = [:], label: String)
        throws -> (daemon: RebootDaemon, listener: SystemdNotifierTests.Listener, logger: Logger)
    {
        let socket = dir.appendingPathComponent("n.sock").path
        let listener = try SystemdNotifierTests.Listener(socket)
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let daemon = try RebootDaemon(configPath: config, environment: environment.merging(["NOTIFY_SOCKET": socket]) { $1 }, logger: logger)
        return (daemon, listener, logger)
    }
}
