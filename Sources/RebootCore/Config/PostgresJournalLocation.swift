import BCC
import Foundation

/// Where a shared PostgreSQL journal is (SPEC §4.16, §5): the config's
/// `journal: postgresql://user@host[:port]/database[?sslmode=disable]` (or `postgres://`).
///
/// The URL never holds the password (it would end up in logs, `--check` and process listings):
/// the password comes from the credentials (`CredentialsLoader.journalPassword`), or the server
/// asks for none (trust, certificate or peer authentication). TLS with certificate and host
/// name verification (`sslmode=verify-full`, the default) is the only mode for a host that is
/// not a loopback address; `sslmode=disable` is accepted for 127.0.0.0/8, `::1` and
/// `localhost` only. No other query parameter is accepted.
public struct PostgresJournalLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected.
    public enum SSLMode: String, Sendable, Equatable {
        /// TLS, the server's certificate verified against the trusted roots and its name
        /// against `host` (libpq's `verify-full`).
        case verifyFull = "verify-full"
        /// No TLS: loopback hosts only.
        case disable
    }

    /// Why a URL was refused, in words that name what to fix and never quote a secret.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static let defaultPort = 5432
    static let usage = "postgresql://USER@HOST[:PORT]/DATABASE"

    /// The role to log in as.
    public var user: String
    /// A host name or an IP address (an IPv6 address without its brackets).
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    public init(user: String, host: String, port: Int = Self.defaultPort, database: String, sslMode: SSLMode = .verifyFull) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, `::1`, `localhost`).
    public var isLoopback: Bool { BCCEndpoint.isLoopback(host) }

    /// The URL again, in its canonical form (`postgresql://`, the port always given): it holds
    /// no secret, so it may be logged.
    public var description: String {
        let u = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user
        let h = host.contains(":") ? "[\(host)]" : host
        let d = database.addingPercentEncoding(withAllowedCharacters: Self.databaseAllowed) ?? database
        return "postgresql://\(u)@\(h):\(port)/\(d)" + (sslMode == .disable ? "?sslmode=disable" : "")
    }

    static let databaseAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))

    /// Whether `text` is meant as a PostgreSQL URL (and not a SQLite path).
    public static func isPostgresURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql:") || lower.hasPrefix("postgres:")
    }

    /// Parses `text`; the error names what to fix and never repeats a password.
    public static func parse(_ text: String) -> Result<PostgresJournalLocation, Invalid> {
        func invalid(_ message: String) -> Result<PostgresJournalLocation, Invalid> { .failure(Invalid(description: message)) }
        let lower = text.lowercased()
        guard let scheme = ["postgresql://", "postgres://"].first(where: { lower.hasPrefix($0) }) else {
            return invalid("must be \(usage) (or the absolute path of a SQLite file)")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring? = nil
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        let authority: Substring
        var path: Substring? = nil
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
        }
        // The password first: no other message may be given for a URL that holds one.
        let at = authority.lastIndex(of: "@")
        if let at, authority[..<at].contains(":") {
            return invalid(passwordInURL)
        }
        if let query, query.split(separator: "&").contains(where: { $0.split(separator: "=", maxSplits: 1).first?.lowercased() == "password" }) {
            return invalid(passwordInURL)
        }
        if rest.contains("#") || query?.contains("#") == true {
            return invalid("must not have a #fragment: \(usage)")
        }
        guard let at, at > authority.startIndex else {
            return invalid("names no user: write \(usage), the role rebootd logs in as before the @")
        }
        let rawUser = authority[..<at]
        guard let user = rawUser.removingPercentEncoding, !user.isEmpty, !user.contains(where: \.isNewline) else {
            return invalid("has a user name that is not valid percent-encoding: \(usage)")
        }
        let hostPort = authority[authority.index(after: at)...]
        var host: Substring
        var portText: Substring? = nil
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                return invalid("has an IPv6 host without its closing ]: write [ADDRESS]:PORT")
            }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return invalid("has text after the IPv6 host's ]: write [ADDRESS]:PORT") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.firstIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        guard !host.isEmpty else {
            return invalid("names no host: write \(usage), the database server's name or address after the @")
        }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }) else {
            return invalid("has a host that is not a host name or IP address: \(usage)")
        }
        var port = defaultPort
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(portText), (1...65535).contains(p) else {
                return invalid("has a bad port: it must be a number from 1 to 65535 after the host's colon (default \(defaultPort))")
            }
            port = p
        }
        guard let path, !path.isEmpty else {
            return invalid("names no database: write \(usage), the database's name after the host")
        }
        guard !path.contains("/") else {
            return invalid("has a database name with a /: write \(usage), one name after the host")
        }
        guard let database = path.removingPercentEncoding, !database.isEmpty, !database.contains(where: \.isNewline) else {
            return invalid("has a database name that is not valid percent-encoding: \(usage)")
        }
        var sslMode = SSLMode.verifyFull
        var seen = false
        for parameter in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            guard name == "sslmode" else {
                return invalid(
                    "has an unknown query parameter \(SafeText.escaped(String(name.prefix(64)))): only sslmode is accepted "
                        + "(verify-full, the default, or disable for a loopback host)")
            }
            guard !seen else { return invalid("gives sslmode twice") }
            seen = true
            let value = pair.count == 2 ? String(pair[1]) : ""
            guard let mode = SSLMode(rawValue: value) else {
                return invalid(
                    "has sslmode=\(SafeText.escaped(String(value.prefix(32)))): only verify-full (the default: TLS, the server's "
                        + "certificate and name verified) or, for a loopback host, disable are accepted")
            }
            sslMode = mode
        }
        let location = PostgresJournalLocation(user: user, host: String(host), port: port, database: database, sslMode: sslMode)
        if sslMode == .disable && !location.isLoopback {
            return invalid(
                "has sslmode=disable for \(location.host), which is not a loopback address (127.0.0.0/8, ::1, localhost): "
                    + "the journal and its password would cross the network unencrypted; remove sslmode to use TLS with "
                    + "verify-full (add the server's CA with caFile if the system does not trust it)")
        }
        return .success(location)
    }

    static let passwordInURL =
        "must not hold a password: put the password in the credentials file's journalPassword "
        + "or LoadCredential=journal-password, not in the URL"
}
