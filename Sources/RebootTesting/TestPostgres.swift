import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL 15 server for tests, from Debian's `postgresql-15`: `initdb` and
/// `pg_ctl` in a temporary directory, listening on 127.0.0.1 at a free port (its Unix socket
/// in that directory), `fsync=off`, trust authentication for the `postgres` role. Run as root,
/// the server runs as the `postgres` user (`runuser`), in a directory that user owns; otherwise
/// as the current user. Starting takes about a second; `createDatabase()` makes an empty
/// database per test, and `stop()` ends the server and removes the directory. A directory left
/// by a test process that died is cleaned up by the next `start()`.
///
/// Missing binaries are an error that names `make bootstrap-test`, never a skip.
public final class TestPostgres: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Debian's PostgreSQL 15 programs.
    public static let debianBinDirectory = "/usr/lib/postgresql/15/bin"
    /// The programs this server runs.
    public let binDirectory: String
    public let host = "127.0.0.1"
    public let port: Int
    /// The superuser role (trust authentication on loopback).
    public let username = "postgres"
    /// How long `start()` took, in seconds.
    public let startSeconds: Double
    /// The server's directory (`data/`, `server.log`, its socket).
    public let directory: String
    /// The user the server runs as when the tests run as root.
    let serverUser: String?
    private let lock = NSLock()
    private var databases = 0
    private var stopped = false

    static let prefix = "rebootd-pg-"

    private init(binDirectory: String, directory: String, serverUser: String?, port: Int, startSeconds: Double) {
        self.binDirectory = binDirectory
        self.directory = directory
        self.serverUser = serverUser
        self.port = port
        self.startSeconds = startSeconds
    }

    /// Starts a server; throws, naming `make bootstrap-test`, when PostgreSQL 15 is missing.
    public static func start(binDirectory: String = debianBinDirectory) throws -> TestPostgres {
        let began = Date()
        for tool in ["initdb", "pg_ctl", "createdb"] where !FileManager.default.isExecutableFile(atPath: "\(binDirectory)/\(tool)") {
            throw Failure(
                description: "PostgreSQL 15 is not installed (\(binDirectory)/\(tool) is missing): run `make bootstrap-test` "
                    + "(it installs Debian's postgresql-15)")
        }
        let serverUser = getuid() == 0 ? "postgres" : nil
        var owner: (uid_t, gid_t)? = nil
        if let serverUser {
            guard let entry = getpwnam(serverUser) else {
                throw Failure(description: "tests run as root start PostgreSQL as the postgres user, and there is none: run `make bootstrap-test`")
            }
            owner = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        // The server's user must reach the directory: under /tmp when it is postgres.
        let temp = serverUser == nil ? NSTemporaryDirectory() : "/tmp"
        reapAbandoned(in: temp, bin: binDirectory, serverUser: serverUser)
        var template = Array(((temp as NSString).appendingPathComponent("\(prefix)XXXXXX")).utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw Failure(description: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        let directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let (uid, gid) = owner, chown(directory, uid, gid) != 0 {
            throw Failure(description: "chown \(directory): \(String(cString: strerror(errno)))")
        }
        try "\(getpid())\n".write(toFile: "\(directory)/owner.pid", atomically: false, encoding: .utf8)
        do {
            try run(
                ["initdb", "-D", "\(directory)/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                bin: binDirectory, in: directory, as: serverUser)
            let settings = """

                # rebootd tests: a throwaway server
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '\(directory)'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200

                """
            let conf = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/data/postgresql.conf"))
            try conf.seekToEnd()
            try conf.write(contentsOf: Data(settings.utf8))
            try conf.close()
            // A free port can be taken between the probe and the server's bind: try another.
            var lastError: (any Error)? = nil
            for _ in 0..<3 {
                let port = try freePort()
                do {
                    try run(
                        ["pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "30", "-o", "-p \(port)", "start"],
                        bin: binDirectory, in: directory, as: serverUser)
                    return TestPostgres(
                        binDirectory: binDirectory, directory: directory, serverUser: serverUser, port: port,
                        startSeconds: Date().timeIntervalSince(began))
                } catch {
                    lastError = error
                }
            }
            throw lastError ?? Failure(description: "pg_ctl start failed")
        } catch {
            let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure(description: "\(error)\n\(log.suffix(2000))")
        }
    }

    /// Creates an empty database and returns its name.
    public func createDatabase() throws -> String {
        let name = lock.withLock {
            databases += 1
            return "t\(databases)"
        }
        try Self.run(["createdb", "-h", host, "-p", "\(port)", "-U", username, name], bin: binDirectory, in: directory, as: nil)
        return name
    }

    /// Creates a login role that must give `password` (SCRAM-SHA-256) over TCP, and makes it
    /// the owner of `database`: the other roles keep trust authentication. For tests of the
    /// journal's password.
    public func addPasswordRole(_ role: String, password: String, owning database: String) throws {
        func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        let ident = "\"" + role.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        for sql in [
            "SET password_encryption = 'scram-sha-256'; CREATE ROLE \(ident) LOGIN PASSWORD \(literal(password))",
            "ALTER DATABASE \(database) OWNER TO \(ident)",
        ] {
            try Self.run(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", "\(port)", "-U", username, "-d", "postgres", "-c", sql],
                bin: binDirectory, in: directory, as: nil)
        }
        // The first matching line wins: this role's TCP logins ask for the password.
        let hba = "\(directory)/data/pg_hba.conf"
        let old = try String(contentsOfFile: hba, encoding: .utf8)
        try ("host all \(ident) 127.0.0.1/32 scram-sha-256\n" + old).write(toFile: hba, atomically: false, encoding: .utf8)
        try Self.run(["pg_ctl", "-D", "\(directory)/data", "reload"], bin: binDirectory, in: directory, as: serverUser)
        // The server reloads on its own time: wait until a login without the password fails.
        let deadline = Date().addingTimeInterval(10)
        while (try? Self.run(
            ["psql", "-X", "-w", "-h", host, "-p", "\(port)", "-U", role, "-d", database, "-c", "SELECT 1"], bin: binDirectory, in: directory,
            as: nil)) != nil
        {
            guard Date() < deadline else { throw Failure(description: "pg_hba.conf was not reloaded within 10 s") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Turns TLS on, with the PEM `certificate` and `key` (copied into the server's directory,
    /// the key mode 0600 and owned by the server's user, as PostgreSQL requires). Plain
    /// connections are still accepted.
    public func enableTLS(certificate: String, key: String) throws {
        let cert = "\(directory)/server.crt"
        let keyCopy = "\(directory)/server.key"
        for (from, to) in [(certificate, cert), (key, keyCopy)] {
            try? FileManager.default.removeItem(atPath: to)
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
        chmod(keyCopy, 0o600)
        if let serverUser, let entry = getpwnam(serverUser) {
            for path in [cert, keyCopy] where chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) != 0 {
                throw Failure(description: "chown \(path): \(String(cString: strerror(errno)))")
            }
        }
        let conf = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/data/postgresql.conf"))
        try conf.seekToEnd()
        try conf.write(contentsOf: Data("\nssl = on\nssl_cert_file = '\(cert)'\nssl_key_file = '\(keyCopy)'\n".utf8))
        try conf.close()
        try Self.run(["pg_ctl", "-D", "\(directory)/data", "reload"], bin: binDirectory, in: directory, as: serverUser)
        // The server reloads on its own time: wait until it answers with TLS.
        let deadline = Date().addingTimeInterval(10)
        while (try? Self.run(
            ["psql", "-X", "-w", "-d", "host=\(host) port=\(port) user=\(username) dbname=postgres sslmode=require", "-c", "SELECT 1"],
            bin: binDirectory, in: directory, as: nil)) == nil
        {
            guard Date() < deadline else {
                let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
                throw Failure(description: "TLS was not on within 10 s: \(log.suffix(1000))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Runs SQL as the superuser in `database` (roles, grants, cutting a client off).
    public func execute(_ sql: String, database: String) throws {
        try Self.run(
            ["psql", "-X", "-h", host, "-p", "\(port)", "-U", username, "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql], bin: binDirectory,
            in: directory, as: nil)
    }

    /// Stops the server at once and removes its directory (idempotent).
    public func stop() {
        let running = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard running else { return }
        _ = try? Self.run(["pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop"], bin: binDirectory, in: directory, as: serverUser)
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    // MARK: Helpers

    /// Runs one of PostgreSQL's programs (as `user` when given, through `runuser`) and throws
    /// with its output when it fails. Spawned by hand, with every descriptor above stderr
    /// closed: the server `pg_ctl` starts outlives it, and must not hold one of ours open
    /// (Foundation's `Process` waits for its own socket to close, which it then never does).
    @discardableResult
    static func run(_ arguments: [String], bin: String, in directory: String, as user: String?) throws -> String {
        let tool = "\(bin)/\(arguments[0])"
        // env -C: the program starts in `directory` (the server's user may not read ours).
        let runAs = user.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []
        let argv: [String] = ["/usr/bin/env", "-C", directory] + runAs + [tool] + arguments.dropFirst()
        let outputPath = "\(directory)/.\(arguments[0]).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        let cArguments = argv.map { strdup($0) } + [nil]
        let environment: [String] = ["PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer { for p in cArguments + cEnvironment { free(p) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else { throw Failure(description: "\(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally with status 0 (WIFEXITED and WEXITSTATUS, which Swift does not import).
        guard status & 0xffff == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
        return text
    }

    /// The descriptors this process has open.
    static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops and removes servers whose test process has died (killed before `stop()`).
    static func reapAbandoned(in temp: String, bin: String, serverUser: String?) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temp)) ?? [] where name.hasPrefix(prefix) {
            let directory = (temp as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: "\(directory)/owner.pid", encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            if FileManager.default.fileExists(atPath: "\(directory)/data/postmaster.pid") {
                _ = try? run(["pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop"], bin: bin, in: directory, as: serverUser)
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
