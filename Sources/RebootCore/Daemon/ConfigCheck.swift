import BCC
import Foundation

/// `rebootd --check` (SPEC §6): validates the config and reads the credentials as a start
/// would, without taking the locks, opening the journal or touching the spool, so it is safe
/// beside a running daemon (before `systemctl reload`, or in a package's post-install).
public enum ConfigCheck {
    /// A summary for the operator (no secret in it), or a `.configuration` error (exit 78)
    /// whose message names what to fix.
    public static func run(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(DaemonError) -> String {
        let config: RebootdConfig
        do { config = try ConfigLoader.load(path: configPath) } catch {
            throw DaemonError(.configuration, "bad configuration: \(error)")
        }
        let loaded: (credentials: BCECredentials, source: String)
        do { loaded = try CredentialsLoader.loadWithSource(config: config, environment: environment) } catch {
            throw DaemonError(.configuration, "\(error)")
        }
        return """
            \(SafeText.escaped(configPath)): OK
              endpoint \(SafeText.escaped(config.endpoint)), \(config.regions.count) region(s)
              spool \(SafeText.escaped(config.spoolDir)), journal \(SafeText.escaped(config.journal))
              credentials from \(SafeText.escaped(loaded.source)) (access key \(SafeText.escaped(String(loaded.credentials.accessKeyId.prefix(4))))…)
            """ + config.warnings.map { "\n  warning: \($0)" }.joined()
    }
}
