import ArgumentParser
import BCC
import BCCSimulator
import Foundation
import Logging
import UnixSignals
import Yams

/// `bcc-sim`: parses flags into a `SimulatorConfiguration`, serves until SIGTERM or SIGINT.
@main
struct BCCSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bcc-sim",
        abstract: "A Baidu Cloud BCC API simulator for rehearsals and tests.",
        discussion: """
            Serves reboot, describe, describe-many, the filtered list call and batch reboot on a \
            loopback port with BCE's wire format and bce-auth-v1 signature checks (https with \
            --tls-cert/--tls-key). Its first stdout line is {"port": P, "scheme": "http"|"https"}.

            Every instance has a name, a zone, tags and deploy sets, answered by the describe and \
            list calls (zoneName, tags as [{"tagKey", "tagValue"}], deploySetIds). A fleet-file \
            line gives them as ID [STATUS] [zone=Z] [tag=K:V]... [deploySet=D]... [name=N] \
            (fields split by spaces, tabs or commas; tag and deploySet repeat; a line with any of \
            them has exactly those, named sim-ID without name=).

            Other instances (--instances, and \
            fleet lines with only ID [STATUS]) get a fixed spread by position in the fleet, in rows \
            of one instance per zone of --zones: zone round-robin, deploy set dset-ZONE, tags \
            role:web on even rows and role:db on odd rows, env:staging on every fifth row (rows \
            4, 9, ...) and env:prod on the others, name ROLE-NNNNN (web-00001, db-00004, ...).

            GET /v2/instance without instanceIds lists the fleet in its order, filtered by \
            zoneName, tags (K:V or K), deploySetIds, instanceNames, fuzzyInstanceName (a \
            substring of the name) and status: different fields AND, comma-separated values of \
            one field OR; paged by maxKeys (at most 1000) and marker, with isTruncated and \
            nextMarker. instanceNames with fuzzyInstanceName is refused (400 InvalidParameter).

            Without credentials flags it accepts the demo key pair \
            sim-access-key-id / sim-secret-access-key. GET /_admin/state (no auth) shows every \
            instance's status, accepted reboots, name, zone, tags and deploy sets. Faults can be switched while it runs, per \
            kind of call: POST /_admin/faults with a JSON body such as \
            {"call": "describeMany", "kind": "error", "status": 500, "for": 10} or \
            {"call": "reboot", "kind": "hang", "seconds": 3, "for": 8} (call: reboot, describe, \
            describeMany, batchReboot or any; kind: error [status, code], hang [seconds: applied, \
            then answered late], throttle [retryAfter], busy [reboot only, seconds: the instance \
            turns Starting just as the call arrives, 409] or endless [describeMany only: pages \
            that never end]; optional for, rate, count); \
            GET /_admin/faults lists the active ones, DELETE /_admin/faults clears them.
            """,
        version: RebootdVersion.string)

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind; 0 picks a free one.") var port = 0
    @Option(help: "Access key id to accept.") var accessKeyId: String?
    @Option(help: "Secret access key of --access-key-id.") var secretAccessKey: String?
    @Option(help: "A rebootd credentials file (accessKeyId, secretAccessKey) to accept.") var credentials: String?
    @Option(help: "Generate this many instances.") var instances: Int?
    @Option(help: "Fleet file: one id a line, optionally followed by a status and zone=, tag=, deploySet=, name= fields.")
    var fleet: String?
    @Option(help: "Comma-separated zones the spread puts instances in, round-robin.")
    var zones = InstanceAttributes.defaultZones.joined(separator: ",")
    @Option(help: "Fraction of instances that start in Starting.") var initiallyStarting: Double = 0
    @Option(help: "Seconds those instances stay Starting.") var startingFor: Double = 5
    @Option(help: "Comma-separated ids, or a fraction, of instances that never become Running.") var stuck: String?
    @Option(help: "Status of stuck instances: Stopped, Starting or Error.") var stuckStatus = "Stopped"
    @Option(help: "Shortest reboot, seconds.") var rebootMin: Double = 1
    @Option(help: "Longest reboot, seconds.") var rebootMax: Double = 3
    @Option(help: "Answer 429 above this many requests in the last second.") var qpsLimit: Int?
    @Option(help: "Fraction of requests answered 500 InternalError.") var errorRate: Double = 0
    @Option(help: "Fraction of requests whose answer is delayed by --hang-seconds.") var hangRate: Double = 0
    @Option(help: "Delay of a hung answer, seconds.") var hangSeconds: Double = 30
    @Option(help: "Latency added to every answer, milliseconds.") var latencyMs: Double = 0
    @Option(help: "Random seed; the same seed replays the same run.") var seed: UInt64 = 1
    @Option(help: "Write a JSON line per answered request to this file.") var log: String?
    @Option(help: "Serve https with this PEM certificate chain (with --tls-key).") var tlsCert: String?
    @Option(help: "The PEM private key of --tls-cert.") var tlsKey: String?

    func validate() throws {
        if instances == nil && fleet == nil { throw ValidationError("give --instances N or --fleet FILE") }
        if (accessKeyId == nil) != (secretAccessKey == nil) {
            throw ValidationError("--access-key-id and --secret-access-key go together")
        }
        for (name, value) in [("--initially-starting", initiallyStarting), ("--error-rate", errorRate), ("--hang-rate", hangRate)]
        where !(0...1).contains(value) {
            throw ValidationError("\(name) must be a fraction between 0 and 1, got \(value)")
        }
        if rebootMin < 0 || rebootMax < 0 { throw ValidationError("reboot durations must be >= 0") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    func run() async throws {
        // Built in a synchronous function: Swift 6.3's optimizer crashed (signal 11, splitting
        // this coroutine) on the fleet loading inlined into the async `run` in release builds.
        let c = try configuration()
        let simulator = try BCCSimulator(configuration: c)
        var logger = Logger(label: "bcc-sim")
        logger.logLevel = .warning
        let running = try await simulator.start(logger: logger)
        FileHandle.standardOutput.write(Data("{\"port\": \(running.port), \"scheme\": \"\(running.scheme)\"}\n".utf8))
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        try await running.stop()
    }

    /// The simulator's configuration from the flags and files.
    func configuration() throws -> SimulatorConfiguration {
        var c = SimulatorConfiguration()
        c.host = host
        c.port = port
        c.credentials = try loadCredentials()
        c.seed = seed
        var ids: [(id: String, status: InstanceStatus)] = []
        if let fleet {
            let entries = try FleetFile.load(path: fleet)
            ids = entries.map { ($0.id, $0.status) }
            for entry in entries { if let given = entry.attributes { c.attributes[entry.id] = given } }
        }
        c.zones = zones.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let instances {
            ids += SimulatorConfiguration.generateIds(count: instances, seed: seed).map { ($0, InstanceStatus.running) }
        }
        var rng = SeededGenerator(seed: seed ^ 0xF1EE7)
        var order = Array(ids.indices)
        order.shuffle(using: &rng)
        let startingCount = Int((initiallyStarting * Double(ids.count)).rounded())
        for i in order.prefix(startingCount) { ids[i].status = .starting }
        if let stuck {
            var stuckIds: [String]
            if let fraction = Double(stuck), stuck.contains(".") || fraction == 0 {
                stuckIds = order.reversed().prefix(Int((fraction * Double(ids.count)).rounded())).map { ids[$0].id }
            } else {
                stuckIds = stuck.split(separator: ",").map(String.init)
            }
            let set = Set(stuckIds)
            for i in ids.indices where set.contains(ids[i].id) { ids[i].status = InstanceStatus(stuckStatus) }
            c.stuck = set
        }
        c.fleet = ids
        c.startingFor = startingFor
        c.rebootMin = rebootMin
        c.rebootMax = rebootMax
        c.qpsLimit = qpsLimit
        c.errorRate = errorRate
        c.hangRate = hangRate
        c.hangSeconds = hangSeconds
        c.latency = latencyMs / 1000
        c.logPath = log
        c.tlsCertificatePath = tlsCert
        c.tlsKeyPath = tlsKey
        return c
    }

    func loadCredentials() throws -> [BCECredentials] {
        var list: [BCECredentials] = []
        if let accessKeyId, let secretAccessKey {
            list.append(BCECredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey))
        }
        if let credentials {
            struct File: Decodable {
                let accessKeyId: String
                let secretAccessKey: String
            }
            let text = try String(contentsOfFile: credentials, encoding: .utf8)
            let file = try YAMLDecoder().decode(File.self, from: text)
            list.append(BCECredentials(accessKeyId: file.accessKeyId, secretAccessKey: file.secretAccessKey))
        }
        return list.isEmpty ? [SimulatorConfiguration.demoCredentials] : list
    }
}
