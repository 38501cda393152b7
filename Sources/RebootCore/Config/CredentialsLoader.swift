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

    static func read(path: String, checkMode: Bool) throws(Failure) -> BCECredentials {
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
        struct File: Decodable {
            let accessKeyId: String
            let secretAccessKey: String
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "credentials file \(path) cannot be read")
        }
        if !YAMLDataGuard.check(text).isEmpty {
            // Named by key path only: the guard's messages could quote the file.
            throw Failure(
                description: "credentials file \(path) must hold accessKeyId and secretAccessKey as plain YAML "
                    + "(no anchors, aliases, tags, nesting or several documents)")
        }
        do {
            let unknown = try unknownKeys(text)
            if !unknown.isEmpty {
                throw Failure(
                    description: "credentials file \(path): unknown keys \(unknown.joined(separator: ", ")); expected accessKeyId and secretAccessKey"
                )
            }
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

    static func unknownKeys(_ text: String) throws -> [String] {
        guard let node = try Yams.compose(yaml: text), let map = node.mapping else { return [] }
        return map.keys.compactMap(\.string).filter { !["accessKeyId", "secretAccessKey"].contains($0) }
    }
}
