import BCC
import Foundation

/// `rebootd --check` (SPEC §6): validates the config and reads the credentials (and, for a
/// PostgreSQL journal, finds its password, naming where, never what) as a start would, without taking the locks, opening the journal or touching the spool, so it is safe
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
        let journal: String
        if let location = config.journalLocation {
            let password: (password: String, source: String)?
            do { password = try CredentialsLoader.journalPasswordWithSource(config: config, environment: environment) } catch {
                throw DaemonError(.configuration, "\(error)")
            }
            journal =
                "journal PostgreSQL \(SafeText.escaped(location.description)) ("
                + (location.sslMode == .disable ? "no TLS, loopback" : "TLS verify-full")
                + ", password from \(password.map { SafeText.escaped($0.source) } ?? "nowhere: the server must not ask for one")"
                + "; lease \(DurationParser.format(config.lease.duration)), renew every \(DurationParser.format(config.lease.renewEvery)), "
                + "margin \(DurationParser.format(config.lease.margin)))"
        } else {
            journal = "journal SQLite \(SafeText.escaped(config.journal))"
        }
        return """
            \(SafeText.escaped(configPath)): OK
              endpoint \(SafeText.escaped(config.endpoint)), \(config.regions.count) region(s)
              spool \(SafeText.escaped(config.spoolDir)), \(journal)
              credentials from \(SafeText.escaped(loaded.source)) (access key \(SafeText.escaped(String(loaded.credentials.accessKeyId.prefix(4))))…)
            """ + config.warnings.map { "\n  warning: \($0)" }.joined()
    }
}
