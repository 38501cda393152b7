import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Opening the journal the config names (`journal: postgresql://…`, SPEC §4.16, §5).
extension PostgresJournal {
    /// Why the journal could not be opened, naming what to fix. Never holds the password.
    public struct OpenFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        /// The server (or this host's TLS setup) refused: the configuration must change, so
        /// waiting for the database cannot help.
        public var isRefusal = true
    }

    /// Opens the journal at `location` (applying any missing migration): TLS with the server's
    /// certificate and name verified (`sslmode=verify-full`), trusting the system's roots and,
    /// when given, the PEM certificates in `caFile` (the config's `caFile`); no TLS only for a
    /// loopback host with `sslmode=disable`. `password` is nil when the server asks for none.
    /// Every statement runs under `settings.statementTimeout`.
    ///
    /// One connection is made first, so that a refused login, an untrusted certificate or a
    /// server without TLS fails at once with the server's reason (the client's pool would only
    /// retry until the call gave up).
    public static func open(
        location: PostgresJournalLocation, password: String?, caFile: String? = nil, settings: LeaseSettings = LeaseSettings(),
        logger: Logger = Logger(label: "rebootd.journal.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> PostgresJournal {
        let journalSettings = journalSettings(settings)
        let tls = try tlsConfiguration(location: location, caFile: caFile)
        try probe(location: location, password: password, tls: tls, connectTimeout: journalSettings.connectTimeout, logger: logger)
        return try PostgresJournal(
            configuration: configuration(location: location, password: password, tls: tls), settings: journalSettings, logger: logger)
    }

    /// The client configuration `open` uses.
    public static func configuration(location: PostgresJournalLocation, password: String?, caFile: String?) throws(OpenFailure)
        -> PostgresClient.Configuration
    {
        configuration(location: location, password: password, tls: try tlsConfiguration(location: location, caFile: caFile))
    }

    static func configuration(location: PostgresJournalLocation, password: String?, tls: TLSConfiguration?) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: password, database: location.database,
            tls: tls.map { .require($0) } ?? .disable)
    }

    /// The TLS `location` asks for: nil (none) for `sslmode=disable` on a loopback host.
    static func tlsConfiguration(location: PostgresJournalLocation, caFile: String?) throws(OpenFailure) -> TLSConfiguration? {
        switch location.sslMode {
        case .disable:
            guard location.isLoopback else {
                // The config refuses it; a location built by hand must not slip through.
                throw OpenFailure(description: "journal: sslmode=disable is only allowed for a loopback host, not \(location.host)")
            }
            return nil
        case .verifyFull:
            return try tlsConfiguration(caFile: caFile)
        }
    }

    /// TLS that verifies the server's certificate chain and its name (`verify-full`).
    static func tlsConfiguration(caFile: String?) throws(OpenFailure) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile {
            let certificates: [NIOSSLCertificate]
            do { certificates = try NIOSSLCertificate.fromPEMFile(caFile) } catch {
                throw OpenFailure(description: "caFile \(caFile) is not a readable PEM certificate file (\(error)); fix caFile")
            }
            guard !certificates.isEmpty else { throw OpenFailure(description: "caFile \(caFile) holds no PEM certificate; fix caFile") }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        return tls
    }

    /// The journal's settings under `lease`: its statement timeout.
    static func journalSettings(_ lease: LeaseSettings) -> Settings {
        var settings = Settings()
        settings.statementTimeout = .milliseconds(Int64((lease.statementTimeout * 1000).rounded()))
        return settings
    }

    /// Connects once and logs in, then closes; throws the reason, in words, when it cannot.
    static func probe(location: PostgresJournalLocation, password: String?, tls: TLSConfiguration?, connectTimeout: Duration, logger: Logger)
        throws(OpenFailure)
    {
        let journal = "journal \(location)"
        var configuration: PostgresConnection.Configuration
        do {
            configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: password, database: location.database,
                tls: try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable)
        } catch {
            throw OpenFailure(description: "\(journal): cannot set up TLS (\(error)); check caFile")
        }
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout.inSeconds * 1000))
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0, logger: logger
            ).wait()
            try? connection.close().wait()
        } catch {
            let refused = (error as? PSQLError).map { $0.code == .server && $0.serverInfo != nil } ?? false
            throw OpenFailure(description: "\(journal): \(reason(error, location: location, password: password))", isRefusal: refused)
        }
    }

    /// Why a login failed, and what to fix. postgres-nio's own description is one generic line;
    /// the server's message never holds the password.
    static func reason(_ error: any Error, location: PostgresJournalLocation, password: String?) -> String {
        guard let error = error as? PSQLError else { return "cannot connect (\(error))" }
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            var text = "the server refused the login: \(info[.message] ?? "error") (SQLSTATE \(state))"
            if state == "28P01" || state == "28000" {
                text +=
                    password == nil
                    ? "; no password was found: put it in the credentials file's journalPassword or LoadCredential=journal-password"
                    : "; check the password in the credentials file's journalPassword or LoadCredential=journal-password, "
                        + "and the server's pg_hba.conf for \(location.user)"
            } else if state == "3D000" {
                text += "; create the database, or fix its name in journal"
            }
            return text
        }
        switch error.code {
        case .authMechanismRequiresPassword:
            return "the server asks for a password and none was found: put it in the credentials file's journalPassword "
                + "or LoadCredential=journal-password"
        case .sslUnsupported:
            return "the server does not offer TLS: turn ssl on in its postgresql.conf (sslmode=disable is only for a loopback host)"
        default:
            let underlying = error.underlying.map { "\($0)" } ?? "\(error.code)"
            if let nioSSL = error.underlying, String(reflecting: type(of: nioSSL)).contains("NIOSSL") {
                return "TLS failed (\(underlying)): the server's certificate must chain to a system root or to caFile, and name "
                    + "\(location.host)"
            }
            return "cannot connect to \(location.host):\(location.port) (\(underlying))"
        }
    }
}
