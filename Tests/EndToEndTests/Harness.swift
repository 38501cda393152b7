import BCCSimulator
import Foundation
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the real `bcc-sim`, `rebootd` and `rebootctl` binaries in a scratch directory, over
/// loopback HTTP, and reads what the simulator saw.
final class Harness {
    static let binDir: URL = {
        if let dir = ProcessInfo.processInfo.environment["REBOOTD_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }()
    static let secret = "e2e-SECRET-7f3a9c-never-print"
    static let accessKeyId = "e2e-access-key"

    let dir: URL
    var sim: Process?
    var simPort = 0
    /// `https` when bcc-sim was started with `--tls-cert/--tls-key`.
    var simScheme = "http"
    var daemon: Process?
    var daemonLog: URL { dir.appendingPathComponent("rebootd.log") }
    var simLog: URL { dir.appendingPathComponent("sim.jsonl") }
    var configPath: String { dir.appendingPathComponent("rebootd.yaml").path }
    var spool: URL { dir.appendingPathComponent("spool") }
    var outputs: [String] = []

    init(name: String) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("rebootd-e2e-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    deinit {
        for p in [daemon, sim].compactMap({ $0 }) where p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        if ProcessInfo.processInfo.environment["KEEP_E2E"] == nil { try? FileManager.default.removeItem(at: dir) }
    }

    // MARK: Simulator

    func startSim(_ args: [String]) throws {
        let p = Process()
        p.executableURL = Self.binDir.appendingPathComponent("bcc-sim")
        p.arguments = args + ["--log", simLog.path, "--access-key-id", Self.accessKeyId, "--secret-access-key", Self.secret]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        sim = p
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        struct Port: Decodable {
            let port: Int
            let scheme: String?
        }
        let first = try JSONDecoder().decode(Port.self, from: line.split(separator: 0x0A).first.map { Data($0) } ?? Data())
        simPort = first.port
        simScheme = first.scheme ?? "http"
    }

    /// Starts bcc-sim on a fleet of `ids` where `ids[stuckIndex]` is stuck in `Error`, so its
    /// reboot is refused with 409 and a poll then reads `Error` (it fails).
    func startSimWithOneErrorInstance(_ ids: [String], stuckIndex: Int, rebootSeconds: ClosedRange<Double>) throws {
        let fleet = dir.appendingPathComponent("fleet.txt")
        try ids.enumerated().map { $0.offset == stuckIndex ? "\($0.element) Error" : $0.element }.joined(separator: "\n")
            .write(to: fleet, atomically: true, encoding: .utf8)
        try startSim([
            "--fleet", fleet.path, "--stuck", ids[stuckIndex], "--stuck-status", "Error",
            "--reboot-min", "\(rebootSeconds.lowerBound)", "--reboot-max", "\(rebootSeconds.upperBound)",
        ])
    }

    struct AdminInstance: Decodable {
        let id: String
        let status: String
        let reboots: Int
        let zoneName: String?
        /// `key:value`.
        let tags: [String]?
    }

    func adminState() throws -> [AdminInstance] {
        struct State: Decodable { let instances: [AdminInstance] }
        let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(simPort)/_admin/state")!)
        return try JSONDecoder().decode(State.self, from: data).instances
    }

    func requests() throws -> [RequestLog.Entry] { try RequestLog.read(path: simLog.path) }

    /// Switches a fault on in the running simulator (`POST /_admin/faults`), e.g.
    /// `{"call": "describeMany", "kind": "error", "status": 500, "for": 8}`.
    func setFault(_ json: String) throws {
        let (status, body) = try admin("POST", "/_admin/faults", body: json)
        guard status == 201 else { throw Failure("bcc-sim refused the fault \(json): \(status) \(body)") }
    }

    /// Clears every fault switched on at run time (`DELETE /_admin/faults`).
    func clearFaults() throws {
        let (status, body) = try admin("DELETE", "/_admin/faults")
        guard status == 200 else { throw Failure("bcc-sim did not clear its faults: \(status) \(body)") }
    }

    /// One request to the simulator's admin API, synchronously.
    func admin(_ method: String, _ path: String, body: String? = nil) throws -> (status: Int, body: String) {
        final class Box: @unchecked Sendable { var result: Result<(Int, String), Error> = .failure(Failure("no answer")) }
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(simPort)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else {
                box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self)))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result.get()
    }

    // MARK: Daemon

    func writeConfig(_ extra: String = "") throws {
        let creds = dir.appendingPathComponent("credentials.yaml")
        try "accessKeyId: \(Self.accessKeyId)\nsecretAccessKey: \(Self.secret)\n".write(to: creds, atomically: true, encoding: .utf8)
        chmod(creds.path, 0o600)
        var config = """
            endpoint: \(simScheme)://127.0.0.1:\(simPort)
            credentialsFile: \(creds.path)
            spoolDir: \(spool.path)
            journal: \(dir.appendingPathComponent("journal.sqlite").path)
            metricsFile: \(dir.appendingPathComponent("rebootd.prom").path)

            """
        if !extra.contains("logLevel:") { config += "logLevel: debug\n" }
        config += extra
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts rebootd with `--config` (or with `arguments` instead, e.g. none when the config
    /// comes from `REBOOTD_CONFIG` in `environment`).
    func startDaemon(environment extra: [String: String] = [:], arguments: [String]? = nil) throws {
        let p = Process()
        if !extra.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 } }
        p.executableURL = Self.binDir.appendingPathComponent("rebootd")
        p.arguments = arguments ?? ["--config", configPath]
        if !FileManager.default.fileExists(atPath: daemonLog.path) { _ = FileManager.default.createFile(atPath: daemonLog.path, contents: nil) }
        let log = try FileHandle(forWritingTo: daemonLog)
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        let readyBefore = readyLines()
        try p.run()
        daemon = p
        // Ready when it logs "rebootd ready" (after READY=1: the spool and the scheduler run), or
        // at once when it exits (a test of a refused start reads the exit status itself). Still
        // running and never ready is a failure, with the daemon's last lines.
        if !waitFor(20, every: 0.02, { !p.isRunning || self.readyLines() > readyBefore }) {
            let log = (try? String(contentsOf: daemonLog, encoding: .utf8)) ?? ""
            throw Failure("rebootd did not say it was ready within 20 s: \(log.suffix(1500))")
        }
    }

    /// How many times the daemon log says "rebootd ready" (one line per start).
    func readyLines() -> Int {
        ((try? String(contentsOf: daemonLog, encoding: .utf8)) ?? "").components(separatedBy: "rebootd ready").count - 1
    }

    /// Fails the test at once, with the daemon's last lines, when it is not up and ready.
    func requireDaemonUp() throws {
        guard let p = daemon, p.isRunning, readyLines() > 0 else {
            let status =
                daemon.map {
                    $0.isRunning
                        ? "running, never ready"
                        : {
                            $0.waitUntilExit()
                            return "exit \($0.terminationStatus)"
                        }($0)
                } ?? "not started"
            let log = (try? String(contentsOf: daemonLog, encoding: .utf8)) ?? ""
            throw Failure("rebootd did not come up (\(status)): \(log.suffix(1500))")
        }
    }

    func signalDaemon(_ sig: Int32) { if let p = daemon { kill(p.processIdentifier, sig) } }

    /// Waits for the daemon to exit; returns its status, or nil past `timeout`.
    func waitDaemonExit(_ timeout: TimeInterval) -> Int32? {
        guard let p = daemon else { return nil }
        guard waitFor(timeout, { !p.isRunning }) else { return nil }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Runs one of the built binaries to completion: its exit status and its output (stdout and
    /// stderr together).
    /// Runs one of the binaries (or, with `absolute`, the program at that path) to its end.
    func run(_ binary: String, _ args: [String], environment extra: [String: String] = [:], absolute: Bool = false) throws -> (
        status: Int32, out: String
    ) {
        let p = Process()
        p.executableURL = absolute ? URL(fileURLWithPath: binary) : Self.binDir.appendingPathComponent(binary)
        p.arguments = args
        if !extra.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 } }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        outputs.append(text)
        return (p.terminationStatus, text)
    }

    // MARK: rebootctl

    @discardableResult
    func ctl(_ args: [String]) throws -> (status: Int32, out: String) {
        try run("rebootctl", [args[0], "--config", configPath] + args.dropFirst())
    }

    struct PlanStatus: Decodable {
        struct Inst: Decodable {
            let id: String
            let state: String
            let attempts: Int
            let lastError: String?
        }
        let id: String
        let state: String
        let counts: [String: Int]
        let instances: [Inst]
    }

    struct PlanList: Decodable {
        struct P: Decodable {
            let id: String
            let state: String
            let name: String
        }
        let plans: [P]
    }

    func plans() throws -> [PlanList.P] {
        let r = try ctl(["status", "--json"])
        guard r.status == 0 else { return [] }
        return try JSONDecoder().decode(PlanList.self, from: Data(r.out.utf8)).plans
    }

    func planStatus(_ id: String) throws -> PlanStatus {
        try JSONDecoder().decode(PlanStatus.self, from: Data(try ctl(["status", id, "--json"]).out.utf8))
    }

    /// Writes a plan into incoming/ the way operators must: a dotfile, then a rename.
    func drop(_ name: String, _ text: String) throws {
        let incoming = spool.appendingPathComponent("incoming")
        let tmp = incoming.appendingPathComponent(".\(name).tmp")
        try text.write(to: tmp, atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(tmp.path, incoming.appendingPathComponent(name).path), 0)
    }

    /// Submits a plan and returns its id once the daemon accepted it.
    func submit(_ name: String, _ text: String) throws -> String {
        let file = dir.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        let r = try ctl(["submit", file.path])
        XCTAssertEqual(r.status, 0, r.out)
        var id: String?
        _ = waitFor(10) {
            id = (try? self.plans())?.first { $0.name == name.replacingOccurrences(of: ".yaml", with: "") }?.id
            return id != nil
        }
        return try XCTUnwrap(
            id, "plan \(name) was not accepted: \(String(describing: try? String(contentsOf: daemonLog, encoding: .utf8).suffix(2000)))")
    }

    /// Follows the plan with one `rebootctl watch` (which ends with the plan) until it ends or
    /// `timeout` passes, then returns the state `status --json` gives ("" for no such plan).
    func waitPlanEnd(_ id: String, timeout: TimeInterval) throws -> String {
        let p = Process()
        p.executableURL = Self.binDir.appendingPathComponent("rebootctl")
        p.arguments = ["watch", id, "--config", configPath, "--interval", "100ms"]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        if !waitFor(timeout, every: 0.05, { !p.isRunning }) {
            p.terminate()
        }
        p.waitUntilExit()
        return (try? plans())?.first { $0.id == id }?.state ?? ""
    }

    /// Checks `condition` every `every` seconds until it holds (true) or `timeout` passes (false).
    @discardableResult
    func waitFor(_ timeout: TimeInterval, every: TimeInterval = 0.1, _ condition: () -> Bool) -> Bool {
        let deadline = Date() + timeout
        while Date() < deadline {
            if condition() { return true }
            usleep(useconds_t(every * 1_000_000))
        }
        return condition()
    }

    /// A harness step that could not be done (the simulator refused an admin request, ...).
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func planYAML(_ ids: [String], _ body: String) -> String {
        body + "\ninstances:\n" + ids.map { "  - \($0)\n" }.joined()
    }
}
