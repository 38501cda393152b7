import Foundation
import PostgresNIO
import RebootTesting
import XCTest

@testable import RebootCore

/// The configuration of a shared PostgreSQL journal (SPEC §4.16, §5, §6): `journal:
/// postgresql://…` and its refusals, `lease`, the journal's password sources, and the client
/// configuration `PostgresJournal.open` builds (TLS verify-full unless loopback and disabled).
final class PostgresJournalConfigTests: XCTestCase {
    func parse(_ yaml: String) throws -> RebootdConfig { try ConfigLoader.parse(yaml, file: "rebootd.yaml") }

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "rebootd.yaml")
            return []
        } catch { return error.problems.map { "\($0.path): \($0.message)" } }
    }

    /// A scratch directory, removed after the test.
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgconfig-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    // MARK: journal: postgresql://

    func testAPostgreSQLURLNamesTheJournalAndKeepsItsText() throws {
        let c = try parse("journal: postgresql://rebootd@db.example/rebootd\n")
        XCTAssertEqual(c.journal, "postgresql://rebootd@db.example/rebootd")
        XCTAssertEqual(c.journalLocation, PostgresJournalLocation(user: "rebootd", host: "db.example", port: 5432, database: "rebootd"))
        XCTAssertEqual(c.journalLocation?.sslMode, .verifyFull, "TLS verify-full is the default")
        XCTAssertEqual(c.journalLocation?.description, "postgresql://rebootd@db.example:5432/rebootd")

        let short = try parse("journal: postgres://ops%2Dbot@10.0.0.7:6432/reboot%20journal?sslmode=verify-full\n")
        XCTAssertEqual(
            short.journalLocation, PostgresJournalLocation(user: "ops-bot", host: "10.0.0.7", port: 6432, database: "reboot journal"))

        let sqlite = try parse("journal: /srv/rebootd/journal.sqlite\n")
        XCTAssertNil(sqlite.journalLocation, "a path is a SQLite journal")
        XCTAssertEqual(sqlite.journal, "/srv/rebootd/journal.sqlite")
        XCTAssertNil(try parse("").journalLocation, "the default is SQLite")
    }

    /// `sslmode=disable` is for loopback hosts only: 127.0.0.0/8, ::1 and localhost.
    func testSSLModeDisableIsAcceptedOnlyForALoopbackHost() throws {
        for (url, host) in [
            ("postgresql://r@127.0.0.1:5433/j?sslmode=disable", "127.0.0.1"),
            ("postgresql://r@127.8.9.10/j?sslmode=disable", "127.8.9.10"),
            ("postgresql://r@[::1]:5433/j?sslmode=disable", "::1"),
            ("postgresql://r@localhost/j?sslmode=disable", "localhost"),
        ] {
            let location = try XCTUnwrap(try parse("journal: '\(url)'\n").journalLocation, url)
            XCTAssertEqual(location.sslMode, .disable, url)
            XCTAssertEqual(location.host, host, url)
        }
        XCTAssertEqual(
            problems("journal: postgresql://r@db.example/j?sslmode=disable\n"),
            [
                "journal: has sslmode=disable for db.example, which is not a loopback address (127.0.0.0/8, ::1, localhost): "
                    + "the journal and its password would cross the network unencrypted; remove sslmode to use TLS with verify-full "
                    + "(add the server's CA with caFile if the system does not trust it)"
            ])
        XCTAssertEqual(problems("journal: postgresql://r@128.0.0.1/j?sslmode=disable\n").count, 1)
        XCTAssertEqual(
            problems("journal: postgresql://r@db.example/j?sslmode=require\n"),
            [
                "journal: has sslmode=require: only verify-full (the default: TLS, the server's certificate and name verified) "
                    + "or, for a loopback host, disable are accepted"
            ])
    }

    /// A password in the URL is refused, and the message never repeats it.
    func testAPasswordInTheURLIsRefusedWithoutRepeatingIt() {
        let expected = [
            "journal: must not hold a password: put the password in the credentials file's journalPassword or "
                + "LoadCredential=journal-password, not in the URL"
        ]
        for url in [
            "postgresql://rebootd:Hunter2-secret@db.example/rebootd",
            "postgresql://rebootd:Hunter2-secret@db.example:bad/rebootd",
            "postgres://rebootd@db.example/rebootd?password=Hunter2-secret",
            "postgresql://rebootd:Hunter2-secret@/",
        ] {
            let found = problems("journal: '\(url)'\n")
            XCTAssertEqual(found, expected, url)
            XCTAssertFalse(found.joined().contains("Hunter2"), "\(found)")
        }
    }

    func testEveryMalformedURLIsRefusedNamingWhatToFix() {
        let cases: [(String, String)] = [
            (
                "postgresql://db.example/rebootd",
                "names no user: write postgresql://USER@HOST[:PORT]/DATABASE, the role rebootd logs in as before the @"
            ),
            (
                "postgresql://@db.example/rebootd",
                "names no user: write postgresql://USER@HOST[:PORT]/DATABASE, the role rebootd logs in as before the @"
            ),
            (
                "postgresql://rebootd@/rebootd",
                "names no host: write postgresql://USER@HOST[:PORT]/DATABASE, the database server's name or address after the @"
            ),
            (
                "postgresql://rebootd@:5432/rebootd",
                "names no host: write postgresql://USER@HOST[:PORT]/DATABASE, the database server's name or address after the @"
            ),
            (
                "postgresql://rebootd@db.example",
                "names no database: write postgresql://USER@HOST[:PORT]/DATABASE, the database's name after the host"
            ),
            (
                "postgresql://rebootd@db.example/",
                "names no database: write postgresql://USER@HOST[:PORT]/DATABASE, the database's name after the host"
            ),
            (
                "postgresql://rebootd@db.example:54x2/rebootd",
                "has a bad port: it must be a number from 1 to 65535 after the host's colon (default 5432)"
            ),
            (
                "postgresql://rebootd@db.example:0/rebootd",
                "has a bad port: it must be a number from 1 to 65535 after the host's colon (default 5432)"
            ),
            (
                "postgresql://rebootd@db.example:65536/rebootd",
                "has a bad port: it must be a number from 1 to 65535 after the host's colon (default 5432)"
            ),
            ("postgresql://rebootd@db.example:/rebootd", "has a bad port: it must be a number from 1 to 65535 after the host's colon (default 5432)"),
            (
                "postgresql://rebootd@db.example/rebootd?connect_timeout=5",
                "has an unknown query parameter connect_timeout: only sslmode is accepted (verify-full, the default, or disable for a loopback host)"
            ),
            ("postgresql://rebootd@db.example/rebootd?sslmode=disable&sslmode=verify-full", "gives sslmode twice"),
            (
                "postgresql://rebootd@db.example/a/b",
                "has a database name with a /: write postgresql://USER@HOST[:PORT]/DATABASE, one name after the host"
            ),
            ("postgresql://rebootd@[::1/rebootd", "has an IPv6 host without its closing ]: write [ADDRESS]:PORT"),
            ("postgresql://rebootd@db example/rebootd", "has a host that is not a host name or IP address: postgresql://USER@HOST[:PORT]/DATABASE"),
            ("postgresql:rebootd@db.example/rebootd", "must be postgresql://USER@HOST[:PORT]/DATABASE (or the absolute path of a SQLite file)"),
        ]
        for (url, message) in cases {
            XCTAssertEqual(problems("journal: '\(url)'\n"), ["journal: \(message)"], url)
        }
        XCTAssertEqual(problems("journal: journal.sqlite\n"), ["journal: must be an absolute path (a SQLite file) or a postgresql:// URL"])
    }

    // MARK: lease

    func testLeaseDefaultsAndValues() throws {
        let url = "journal: postgresql://r@db.example/j\n"
        let defaults = try parse(url)
        XCTAssertEqual(defaults.lease, LeaseSettings(duration: 15, renewEvery: 3, margin: 2, statementTimeout: 2))
        let set = try parse(url + "lease: { duration: 30s, renewEvery: 5s, margin: 1500ms }\n")
        XCTAssertEqual(set.lease, LeaseSettings(duration: 30, renewEvery: 5, margin: 1.5, statementTimeout: 2))
        XCTAssertEqual(set.warnings, [])
        XCTAssertEqual(try parse(url + "lease: { renewEvery: 4s }\n").lease.renewEvery, 4, "keys may be left out")
    }

    func testLeaseValuesThatCouldNeverLetALeaderSendAreRefused() {
        let url = "journal: postgresql://r@db.example/j\n"
        XCTAssertEqual(problems(url + "lease: { duration: 0s }\n"), ["lease.duration: must be greater than zero"])
        XCTAssertEqual(problems(url + "lease: { renewEvery: 0s }\n"), ["lease.renewEvery: must be greater than zero"])
        XCTAssertEqual(problems(url + "lease: { margin: 0s }\n"), ["lease.margin: must be greater than zero"])
        XCTAssertEqual(
            problems(url + "lease: { duration: 10s, renewEvery: 10s }\n"),
            ["lease.renewEvery: (10s) must be shorter than lease.duration (10s): the lease would expire before it is renewed"])
        XCTAssertEqual(
            problems(url + "lease: { duration: 10s, renewEvery: 4s, margin: 6s }\n"),
            [
                "lease.margin: (6s) must be shorter than lease.duration − lease.renewEvery (6s): otherwise a leader whose renewal "
                    + "is one interval late could never send a reboot call; lower margin or renewEvery, or raise duration"
            ])
        XCTAssertEqual(problems(url + "lease: { duration: 10s, renewEvery: 4s, margin: 5900ms }\n"), [], "just under is fine")
        XCTAssertEqual(problems(url + "lease: { duration: 15s, holder: me }\n").count, 1)
        XCTAssertTrue(problems(url + "lease: { duration: 15s, holder: me }\n")[0].hasPrefix("lease"), "an unknown key is an error")
        XCTAssertEqual(problems(url + "lease: 15s\n"), ["lease: must be a mapping of keys to values"])
    }

    func testLeaseWithASQLiteJournalIsAcceptedWithAWarning() throws {
        let c = try parse("lease: { duration: 20s }\n")
        XCTAssertEqual(c.warnings, ["lease applies only to a PostgreSQL journal (journal: postgresql://…); it is ignored with a SQLite journal"])
        XCTAssertNil(c.journalLocation)
    }

    // MARK: the password

    /// Writes a credentials file with `mode`; returns a config naming it.
    func credentials(_ text: String, mode: mode_t = 0o600, in dir: URL) throws -> RebootdConfig {
        let path = dir.appendingPathComponent("credentials.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        var c = RebootdConfig()
        c.credentialsFile = path
        return c
    }

    func testTheJournalPasswordComesFromLoadCredentialThenTheCredentialsFileElseNone() throws {
        let dir = try scratch()
        let c = try credentials("accessKeyId: ak\nsecretAccessKey: sk\njournalPassword: from-the-file\n", in: dir)
        XCTAssertEqual(try CredentialsLoader.journalPassword(config: c, environment: [:]), "from-the-file")
        XCTAssertEqual(try CredentialsLoader.journalPasswordWithSource(config: c, environment: [:])?.source, "\(c.credentialsFile) (journalPassword)")
        XCTAssertEqual(try CredentialsLoader.load(config: c, environment: [:]).accessKeyId, "ak", "the key pair still loads beside it")

        let creds = dir.appendingPathComponent("creds")
        try FileManager.default.createDirectory(at: creds, withIntermediateDirectories: true)
        try "from systemd\n".write(to: creds.appendingPathComponent("journal-password"), atomically: true, encoding: .utf8)
        let env = ["CREDENTIALS_DIRECTORY": creds.path]
        XCTAssertEqual(try CredentialsLoader.journalPassword(config: c, environment: env), "from systemd", "first, its newline trimmed")
        XCTAssertEqual(
            try CredentialsLoader.journalPasswordWithSource(config: c, environment: env)?.source, "$CREDENTIALS_DIRECTORY/journal-password")

        // LoadCredential=bce: hands over the credentials file itself: its journalPassword counts.
        try FileManager.default.removeItem(at: creds.appendingPathComponent("journal-password"))
        try "accessKeyId: ak\nsecretAccessKey: sk\njournalPassword: in-bce\n".write(
            to: creds.appendingPathComponent("bce"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try CredentialsLoader.journalPassword(config: c, environment: env), "in-bce")

        let none = try credentials("accessKeyId: ak\nsecretAccessKey: sk\n", in: dir)
        XCTAssertNil(try CredentialsLoader.journalPassword(config: none, environment: [:]), "no key: trust or peer authentication")
        var missing = RebootdConfig()
        missing.credentialsFile = dir.appendingPathComponent("nonexistent.yaml").path
        XCTAssertNil(try CredentialsLoader.journalPassword(config: missing, environment: [:]), "no file: no password")
    }

    func testAJournalPasswordInAFileOthersCanReadIsRefusedWithoutRepeatingIt() throws {
        let dir = try scratch()
        let c = try credentials("accessKeyId: ak\nsecretAccessKey: sk\njournalPassword: Hunter2-secret\n", mode: 0o640, in: dir)
        XCTAssertThrowsError(try CredentialsLoader.journalPassword(config: c, environment: [:])) { error in
            XCTAssertEqual(
                "\(error)", "credentials file \(c.credentialsFile) can be read by group or others (mode 640); run chmod 600 \(c.credentialsFile)")
        }
        let empty = try credentials("journalPassword: ''\n", in: dir)
        XCTAssertThrowsError(try CredentialsLoader.journalPassword(config: empty, environment: [:])) { error in
            XCTAssertEqual("\(error)", "credentials file \(empty.credentialsFile): journalPassword is empty; give the password, or remove the key")
        }
        let nested = try credentials("journalPassword: [Hunter2-secret]\n", in: dir)
        XCTAssertThrowsError(try CredentialsLoader.journalPassword(config: nested, environment: [:])) { error in
            XCTAssertFalse("\(error)".contains("Hunter2"), "\(error)")
        }
        let unknown = try credentials("journalPasword: Hunter2-secret\n", in: dir)
        XCTAssertThrowsError(try CredentialsLoader.journalPassword(config: unknown, environment: [:])) { error in
            XCTAssertEqual(
                "\(error)",
                "credentials file \(unknown.credentialsFile): unknown keys journalPasword; expected accessKeyId, secretAccessKey and, optionally, journalPassword"
            )
        }
    }

    // MARK: the client configuration

    func testOpenRequiresVerifiedTLSUnlessALoopbackHostDisablesIt() throws {
        let remote = PostgresJournalLocation(user: "r", host: "db.example", port: 6432, database: "j")
        let configuration = try PostgresJournal.configuration(location: remote, password: "pw", caFile: nil)
        XCTAssertEqual(configuration.host, "db.example")
        XCTAssertEqual(configuration.port, 6432)
        XCTAssertEqual(configuration.username, "r")
        XCTAssertEqual(configuration.password, "pw")
        XCTAssertEqual(configuration.database, "j")
        XCTAssertEqual("\(configuration.tls)".contains("require"), true, "\(configuration.tls)")
        let tls = try PostgresJournal.tlsConfiguration(caFile: nil)
        XCTAssertEqual(tls.certificateVerification, .fullVerification)
        XCTAssertEqual(tls.additionalTrustRoots, [])

        let loopback = PostgresJournalLocation(user: "r", host: "127.0.0.1", database: "j", sslMode: .disable)
        let plain = try PostgresJournal.configuration(location: loopback, password: nil, caFile: nil)
        XCTAssertNil(plain.password)
        XCTAssertEqual("\(plain.tls)".contains("disable"), true, "\(plain.tls)")
        XCTAssertEqual(
            "\(try PostgresJournal.configuration(location: PostgresJournalLocation(user: "r", host: "127.0.0.1", database: "j"), password: nil, caFile: nil).tls)"
                .contains("require"), true, "verify-full on loopback too unless disabled")

        var forged = remote
        forged.sslMode = .disable
        XCTAssertThrowsError(try PostgresJournal.configuration(location: forged, password: nil, caFile: nil))
        XCTAssertEqual(PostgresJournal.journalSettings(LeaseSettings(statementTimeout: 1.5)).statementTimeout, .milliseconds(1500))
    }

    func testCAFileAddsTrustRootsAndABadOneNamesCAFile() throws {
        let dir = try scratch()
        let bad = dir.appendingPathComponent("ca.pem").path
        try "not a certificate\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PostgresJournal.tlsConfiguration(caFile: bad)) { error in
            XCTAssertTrue("\(error)".hasPrefix("caFile \(bad) "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("; fix caFile"), "\(error)")
        }
        let tls = try PostgresJournal.tlsConfiguration(caFile: try TestCertificates.make(in: dir).ca)
        XCTAssertEqual(tls.additionalTrustRoots.count, 1)
        XCTAssertEqual(tls.certificateVerification, .fullVerification)
    }

    // MARK: --check

    func testCheckNamesThePostgreSQLJournalAndThePasswordsSourceNeverThePassword() throws {
        let dir = try scratch()
        let c = try credentials("accessKeyId: ak\nsecretAccessKey: sk\n", in: dir)
        let config = dir.appendingPathComponent("rebootd.yaml").path
        try "credentialsFile: \(c.credentialsFile)\njournal: postgresql://rebootd@db.example/rebootd\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let withoutPassword = try ConfigCheck.run(configPath: config, environment: [:])
        XCTAssertTrue(
            withoutPassword.contains(
                "journal PostgreSQL postgresql://rebootd@db.example:5432/rebootd (TLS verify-full, password from nowhere: the server must not ask for one; "
                    + "lease 15s, renew every 3s, margin 2s)"), withoutPassword)
        let creds = dir.appendingPathComponent("creds")
        try FileManager.default.createDirectory(at: creds, withIntermediateDirectories: true)
        try "Hunter2-secret\n".write(to: creds.appendingPathComponent("journal-password"), atomically: true, encoding: .utf8)
        let withPassword = try ConfigCheck.run(configPath: config, environment: ["CREDENTIALS_DIRECTORY": creds.path])
        XCTAssertTrue(withPassword.contains("password from $CREDENTIALS_DIRECTORY/journal-password;"), withPassword)
        XCTAssertFalse(withPassword.contains("Hunter2"), withPassword)
    }
}
