import Foundation
import RebootCore
import RebootTesting
import XCTest

/// Several real `rebootd` processes on one PostgreSQL journal (SPEC §4.16), each with its own
/// spool, config and log, in front of the harness's `bcc-sim`. The test's own connection to
/// the journal reads the lease as the database holds it.
final class Cluster {
    /// One daemon of the cluster.
    final class Node {
        let index: Int
        let dir: URL
        var process: Process?
        var configPath: String { dir.appendingPathComponent("rebootd.yaml").path }
        var log: URL { dir.appendingPathComponent("rebootd.log") }
        var spool: URL { dir.appendingPathComponent("spool") }
        var metrics: URL { dir.appendingPathComponent("rebootd.prom") }
        var pid: Int32? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }
        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        init(index: Int, dir: URL) {
            self.index = index
            self.dir = dir
        }
    }

    let harness: Harness
    let postgres: TestPostgres
    let database: String
    let journal: PostgresJournal
    var nodes: [Node] = []
    /// Each node's relay to PostgreSQL, when the cluster was made `relayed`.
    var relays: [Int: TCPRelay] = [:]
    /// The lease as every node's config sets it: short, so that takeovers take seconds.
    let leaseSettings: (duration: Double, renewEvery: Double, margin: Double)

    /// With `relayed`, each node reaches PostgreSQL through its own `TCPRelay`, so that
    /// `cutDatabase` can cut one off alone, as a network partition would.
    init(harness: Harness, nodes count: Int, lease: (Double, Double, Double) = (3, 0.4, 0.8), extraConfig: String = "", relayed: Bool = false) throws
    {
        self.harness = harness
        self.leaseSettings = lease
        postgres = try TestPostgres.start()
        database = try postgres.createDatabase()
        journal = try PostgresJournal(host: postgres.host, port: postgres.port, username: postgres.username, database: database)
        let creds = harness.dir.appendingPathComponent("credentials.yaml")
        try "accessKeyId: \(Harness.accessKeyId)\nsecretAccessKey: \(Harness.secret)\n".write(to: creds, atomically: true, encoding: .utf8)
        chmod(creds.path, 0o600)
        for i in 0..<count {
            let node = Node(index: i, dir: harness.dir.appendingPathComponent("node\(i)"))
            try FileManager.default.createDirectory(at: node.dir, withIntermediateDirectories: true)
            let port = relayed ? try TCPRelay(upstreamPort: postgres.port) : nil
            if let port { relays[i] = port }
            let config = """
                endpoint: http://127.0.0.1:\(harness.simPort)
                credentialsFile: \(creds.path)
                spoolDir: \(node.spool.path)
                journal: postgresql://\(postgres.username)@\(postgres.host):\(port?.port ?? postgres.port)/\(database)?sslmode=disable
                lease: { duration: \(lease.0)s, renewEvery: \(Int(lease.1 * 1000))ms, margin: \(Int(lease.2 * 1000))ms }
                metricsFile: \(node.metrics.path)
                logLevel: debug
                \(extraConfig)
                """
            try config.write(toFile: node.configPath, atomically: true, encoding: .utf8)
            nodes.append(node)
        }
    }

    deinit {
        for node in nodes {
            if let p = node.process, p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
            }
        }
        journal.close()
        postgres.stop()
    }

    /// Starts a node's daemon and waits until it serves (as a standby or the leader).
    func start(_ node: Node) throws {
        let before = try launch(node)
        try waitReady(node, after: before)
    }

    /// Starts a node's daemon; returns how many times its log said it was ready before.
    @discardableResult
    func launch(_ node: Node) throws -> Int {
        let p = Process()
        p.executableURL = Harness.binDir.appendingPathComponent("rebootd")
        p.arguments = ["--config", node.configPath]
        if !FileManager.default.fileExists(atPath: node.log.path) { _ = FileManager.default.createFile(atPath: node.log.path, contents: nil) }
        let log = try FileHandle(forWritingTo: node.log)
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        let before = node.logText.components(separatedBy: "rebootd ready").count
        try p.run()
        node.process = p
        return before
    }

    /// Waits until the node's log says it is ready more than `before` times.
    func waitReady(_ node: Node, after before: Int) throws {
        guard let p = node.process,
            harness.waitFor(20, every: 0.02, { !p.isRunning || node.logText.components(separatedBy: "rebootd ready").count > before }),
            p.isRunning
        else { throw Harness.Failure("node \(node.index) did not come up: \(node.logText.suffix(1500))") }
    }

    /// Kills a node without warning and waits for it to be gone.
    func kill9(_ node: Node) {
        guard let p = node.process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    /// Cuts a node off the database, as a network partition would: its connections end, and new
    /// ones are refused.
    func cutDatabase(_ node: Node) throws {
        try XCTUnwrap(relays[node.index], "the cluster was not made relayed").cut()
    }

    /// Lets a node cut off by `cutDatabase` reach the database again.
    func restoreDatabase(_ node: Node) throws {
        try XCTUnwrap(relays[node.index], "the cluster was not made relayed").restore()
    }

    /// How many times a node's log says it is ready (one line per start, an `execv` too).
    func readyCount(_ node: Node) -> Int { node.logText.components(separatedBy: "rebootd ready").count - 1 }

    /// The signals a node's process ignores or its main thread blocks (`SigIgn` and `SigBlk`
    /// of /proc/PID/status), as one mask.
    func ignoredSignals(_ node: Node) -> UInt64? {
        guard let pid = node.pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let masks = status.split(separator: "\n").filter { $0.hasPrefix("SigIgn:") || $0.hasPrefix("SigBlk:") }.compactMap { line in
            UInt64(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces), radix: 16)
        }
        return masks.count == 2 ? masks[0] | masks[1] : nil
    }

    /// The lease as the database holds it.
    func lease() throws -> (epoch: Int64, holder: String, remaining: TimeInterval) { try journal.lease() }

    /// The node whose process holds a live lease, if any.
    func leader() -> Node? {
        guard let l = try? lease(), l.remaining > 0 else { return nil }
        return nodes.first { node in node.pid.map { l.holder.split(separator: "/").dropFirst().first == Substring(String($0)) } ?? false }
    }

    /// Waits for a leader other than `not` (a new epoch); returns it and when it was seen.
    func waitLeader(other than: Node? = nil, timeout: TimeInterval = 20) throws -> (Node, Date) {
        var found: Node?
        _ = harness.waitFor(timeout, every: 0.02) {
            found = leader()
            return found != nil && found !== than
        }
        guard let node = found, node !== than else { throw Harness.Failure("no new leader within \(timeout) s") }
        return (node, Date())
    }

    /// Every "took the lease (epoch N)" line of every node's log, as (epoch, node).
    func epochsTaken() -> [(Int64, Int)] {
        nodes.flatMap { node in
            node.logText.components(separatedBy: "took the lease (epoch ").dropFirst().compactMap { rest in
                Int64(rest.prefix { $0.isNumber }).map { ($0, node.index) }
            }
        }
    }

    /// Runs `rebootctl` against a node's config.
    @discardableResult
    func ctl(_ node: Node, _ args: [String]) throws -> (status: Int32, out: String) {
        try harness.run("rebootctl", [args[0], "--config", node.configPath] + args.dropFirst())
    }

    /// A plan's state in the shared journal ("" when unknown).
    func planState(_ id: String) -> String { (try? journal.plan(id: id))?.state ?? "" }

    /// Waits for a plan to end; returns its state.
    func waitPlanEnd(_ id: String, timeout: TimeInterval) -> String {
        _ = harness.waitFor(timeout, every: 0.1) { ["succeeded", "failed", "cancelled"].contains(self.planState(id)) }
        return planState(id)
    }

    /// Drops a plan file in a node's spool and waits for the shared journal to hold it.
    func submit(_ node: Node, _ name: String, _ text: String) throws -> String {
        let incoming = node.spool.appendingPathComponent("incoming")
        let tmp = incoming.appendingPathComponent(".\(name).tmp")
        try text.write(to: tmp, atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(tmp.path, incoming.appendingPathComponent(name).path), 0)
        let planName = name.replacingOccurrences(of: ".yaml", with: "")
        var id: String?
        _ = harness.waitFor(15) {
            id = (try? journal.plans())?.first { $0.name == planName }?.id
            return id != nil
        }
        return try XCTUnwrap(id, "plan \(name) was not taken in by node \(node.index): \(node.logText.suffix(1500))")
    }

    /// Drops a control file (`PLAN.verb`) in a node's spool, as rebootctl does, without waiting.
    func dropControl(_ node: Node, plan: String, verb: String) throws {
        let control = node.spool.appendingPathComponent("control")
        let tmp = control.appendingPathComponent(".\(plan).\(verb).tmp")
        try Data().write(to: tmp)
        XCTAssertEqual(rename(tmp.path, control.appendingPathComponent("\(plan).\(verb)").path), 0)
    }

    /// The reboot calls bcc-sim saw, by instance.
    func rebootCalls() throws -> [String: Int] {
        var calls: [String: Int] = [:]
        for entry in try harness.requests() where entry.call == "reboot" { for id in entry.ids { calls[id, default: 0] += 1 } }
        return calls
    }
}
