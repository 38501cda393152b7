import BCC
import Foundation
import Yams

/// Finds the BCE key pair: the environment, systemd's `$CREDENTIALS_DIRECTORY/bce`, or the
/// config's credentials file (refused when group or others can read it).
public enum CredentialsLoader {
    /// Why no usable credentials were found. Never holds the secret.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func load(config: RebootdConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure)
        -> BCECredentials
    {
        try loadWithSource(config: config, environment: environment).credentials
    }

    /// The key pair and where it came from (for `rebootd --check`; the source names no secret).
    public static func loadWithSource(config: RebootdConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Failure) -> (
        credentials: BCECredentials, source: String
    ) {
        if let ak = environment["BCE_ACCESS_KEY_ID"], let sk = environment["BCE_SECRET_ACCESS_KEY"], !ak.isEmpty, !sk.isEmpty {
            return (BCECredentials(accessKeyId: ak, secretAccessKey: sk), "BCE_ACCESS_KEY_ID/BCE_SECRET_ACCESS_KEY")
        }
        if let dir = environment["CREDENTIALS_DIRECTORY"], FileManager.default.fileExists(atPath: dir + "/bce") {
            return (try read(path: dir + "/bce", checkMode: false), "$CREDENTIALS_DIRECTORY/bce")
        }
        return (try read(path: config.credentialsFile, checkMode: true), config.credentialsFile)
    }

    /// The password for a PostgreSQL journal (SPEC §5), or nil when none is given (the server
    /// then authenticates by trust, certificate or peer): systemd's
    /// `$CREDENTIALS_DIRECTORY/journal-password` (`LoadCredential=journal-password:FILE`; its
    /// content, a trailing newline removed), else the key `journalPassword` in the credentials
    /// file (`$CREDENTIALS_DIRECTORY/bce` when systemd hands it over, else `credentialsFile`,
    /// refused when group or others can read it; a missing file is no password). The password
    /// is never in an error.
    public static func journalPassword(
        config: RebootdConfig, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Failure) -> String? {
        try journalPasswordWithSource(config: config, environment: environment)?.password
    }

    /// The journal's password and where it came from (for `rebootd --check`: the source names
    /// no secret), or nil when there is none.
    public static func journalPasswordWithSource(
        config: RebootdConfig, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Failure) -> (password: String, source: String)? {
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty, FileManager.default.fileExists(atPath: dir + "/journal-password") {
            let path = dir + "/journal-password"
            guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
                throw Failure(description: "journal password \(path) cannot be read as UTF-8 text; check LoadCredential=journal-password:")
            }
            if text.hasSuffix("\r\n") {
                text.removeLast(2)
            } else if text.hasSuffix("\n") {
                text.removeLast()
            }
            guard !text.isEmpty else {
                throw Failure(description: "journal password \(path) is empty; give the password, or remove LoadCredential=journal-password:")
            }
            return (text, "$CREDENTIALS_DIRECTORY/journal-password")
        }
        let path: String
        let checkMode: Bool
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty, FileManager.default.fileExists(atPath: dir + "/bce") {
            (path, checkMode) = (dir + "/bce", false)
        } else {
            (path, checkMode) = (config.credentialsFile, true)
        }
        var info = stat()
        if stat(path, &info) != 0 && errno == ENOENT { return nil }
        let text = try readFile(path: path, checkMode: checkMode)
        struct File: Decodable {
            let journalPassword: String?
        }
        let file: File
        do { file = try YAMLDecoder().decode(File.self, from: text) } catch {
            // The decoder's message could quote the file.
            throw Failure(description: "credentials file \(path): journalPassword must be a string")
        }
        guard let password = file.journalPassword else { return nil }
        guard !password.isEmpty else {
            throw Failure(description: "credentials file \(path): journalPassword is empty; give the password, or remove the key")
        }
        return (password, checkMode ? "\(path) (journalPassword)" : "$CREDENTIALS_DIRECTORY/bce (journalPassword)")
    }

    static func read(path: String, checkMode: Bool) throws(Failure) -> BCECredentials {
        let text = try readFile(path: path, checkMode: checkMode)
        struct File: Decodable {
            let accessKeyId: String
            let secretAccessKey: String
        }
        do {
            let file = try YAMLDecoder().decode(File.self, from: text)
            guard !file.accessKeyId.isEmpty, !file.secretAccessKey.isEmpty else {
                throw Failure(description: "credentials file \(path): accessKeyId and secretAccessKey must not be empty")
            }
            return BCECredentials(accessKeyId: file.accessKeyId, secretAccessKey: file.secretAccessKey)
        } catch let failure as Failure {
            throw failure
        } catch {
            // The decoder's message could quote the file; say only what is expected.
            throw Failure(description: "credentials file \(path) must hold accessKeyId and secretAccessKey as YAML")
        }
    }

    /// The credentials file's text, once its mode (when `checkMode`), its plain YAML and its
    /// keys are checked. Errors name the file and the fix, never its content.
    static func readFile(path: String, checkMode: Bool) throws(Failure) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Failure(
                description:
                    "credentials file \(path) cannot be read (\(String(cString: strerror(errno)))); set credentialsFile, BCE_ACCESS_KEY_ID/BCE_SECRET_ACCESS_KEY, or LoadCredential=bce:"
            )
        }
        if checkMode && info.st_mode & 0o044 != 0 {
            throw Failure(
                description:
                    "credentials file \(path) can be read by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(
                description: "credentials file \(path) cannot be read"
                    + (access(path, R_OK) != 0 ? " (permission denied: it is readable only by its owner; run as root or as rebootd's user)" : ""))
        }
        if !YAMLDataGuard.check(text).isEmpty {
            // Named by key path only: the guard's messages could quote the file.
            throw Failure(
                description: "credentials file \(path) must hold accessKeyId and secretAccessKey as plain YAML "
                    + "(no anchors, aliases, tags, nesting or several documents)")
        }
        let unknown: [String]
        do { unknown = try unknownKeys(text) } catch {
            throw Failure(description: "credentials file \(path) must hold accessKeyId and secretAccessKey as YAML")
        }
        if !unknown.isEmpty {
            throw Failure(
                description:
                    "credentials file \(path): unknown keys \(unknown.joined(separator: ", ")); expected accessKeyId, secretAccessKey and, optionally, journalPassword"
            )
        }
        return text
    }

    /// The keys a credentials file may hold.
    static let fileKeys = ["accessKeyId", "secretAccessKey", "journalPassword"]

    static func unknownKeys(_ text: String) throws -> [String] {
        guard let node = try Yams.compose(yaml: text), let map = node.mapping else { return [] }
        return map.keys.compactMap(\.string).filter { !fileKeys.contains($0) }
    }
}
