import ArgumentParser
import Foundation
import RebootCore

/// `--config`, and loading what it names.
struct ConfigOptions: ParsableArguments {
    @Option(help: "rebootd's configuration file (for the spool and the journal); default $REBOOTD_CONFIG, else \(RebootdConfig.defaultPath).")
    var config = ProcessInfo.processInfo.environment["REBOOTD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? RebootdConfig.defaultPath

    func load() throws -> RebootdConfig {
        do { return try ConfigLoader.load(path: config, readURLFiles: false) } catch {
            if access(config, F_OK) == 0 && access(config, R_OK) != 0 {
                throw CtlError(.permissionDenied, "cannot read \(SafeText.escaped(config)): permission denied (are you in the rebootd group?)")
            }
            throw CtlError(.badConfig, "\(error)")
        }
    }

    func journal() throws -> any JournalStore {
        let c = try load()
        if let location = c.journalLocation { return try postgresJournal(c, location) }
        guard FileManager.default.fileExists(atPath: c.journal) else {
            throw CtlError(.unavailable, "no journal at \(SafeText.escaped(c.journal)) yet: has rebootd started with this config?")
        }
        if access(c.journal, R_OK) != 0 {
            throw CtlError(
                .permissionDenied, "cannot read the journal \(SafeText.escaped(c.journal)): permission denied (are you in the rebootd group?)")
        }
        do { return try SQLiteJournal(readOnlyPath: c.journal) } catch {
            throw CtlError(.unavailable, "cannot open the journal \(SafeText.escaped(c.journal)): \(error)")
        }
    }

    /// The shared PostgreSQL journal (SPEC §4.16): the daemon's password lookup
    /// (`$CREDENTIALS_DIRECTORY/journal-password`, else the credentials file's `journalPassword`,
    /// else none) and its TLS rules. Opening applies a missing migration, as a daemon would.
    func postgresJournal(_ c: RebootdConfig, _ location: PostgresJournalLocation) throws -> any JournalStore {
        let password: String?
        do { password = try CredentialsLoader.journalPassword(config: c) } catch {
            let denied = access(c.credentialsFile, F_OK) == 0 && access(c.credentialsFile, R_OK) != 0
            throw CtlError(
                denied ? .permissionDenied : .badConfig,
                "the journal's password: \(error)"
                    + (denied ? " (the password for \(SafeText.escaped(location.description)) is there: run rebootctl as root)" : ""))
        }
        do { return try PostgresJournal.open(location: location, password: password, caFile: c.caFile, settings: c.lease) } catch {
            throw CtlError(
                .unavailable,
                "cannot open the journal \(SafeText.escaped(location.description)): \(error)"
                    + (password == nil
                        ? " (no password was found: if the server asks for one, give it in \(SafeText.escaped(c.credentialsFile))'s journalPassword)"
                        : ""))
        }
    }

    /// The plan a PLAN argument names: an id, a unique id prefix, or the newest plan of a name.
    func plan(_ argument: String, in journal: any JournalStore) throws -> PlanRecord { try PlanLookup.resolve(argument, in: journal) }
}

/// Prints JSON with sorted keys, the stable form scripts parse.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
