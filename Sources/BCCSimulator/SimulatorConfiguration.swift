import BCC
import Foundation

/// Everything that shapes one simulator run: credentials, fleet, state machine timings, faults.
public struct SimulatorConfiguration: Sendable {
    /// Documented demo defaults; rehearsals pass their own with `--access-key-id`/`--secret-access-key`.
    public static let demoCredentials = BCECredentials(
        accessKeyId: "sim-access-key-id", secretAccessKey: "sim-secret-access-key")

    public var host = "127.0.0.1"
    public var port = 0
    public var credentials: [BCECredentials] = [demoCredentials]
    /// Instance ids with their initial status, in fleet order.
    public var fleet: [(id: String, status: InstanceStatus)] = []
    /// Name, zone, tags and deploy sets given per id (a fleet file's); every other instance gets
    /// `InstanceAttributes.spread` by its position in `fleet`.
    public var attributes: [String: InstanceAttributes] = [:]
    /// The zones of the spread, round-robin in fleet order; empty: spread instances have no zone.
    public var zones: [String] = InstanceAttributes.defaultZones
    /// Instances that start `Starting` become Running after this many seconds.
    public var startingFor: TimeInterval = 5
    /// Ids whose initial status never changes by itself.
    public var stuck: Set<String> = []
    public var rebootMin: TimeInterval = 1
    public var rebootMax: TimeInterval = 3
    /// Above this many requests in the last second, answer 429 (nil: no limit).
    public var qpsLimit: Int?
    public var errorRate: Double = 0
    public var hangRate: Double = 0
    public var hangSeconds: TimeInterval = 0
    public var latency: TimeInterval = 0
    public var seed: UInt64 = 1
    /// Serve https with this PEM certificate chain and private key (both, or neither).
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// JSON-lines request log; nil for none.
    public var logPath: String?

    public init() {}

    /// Generates `count` ids of the form `i-` + 8 alphanumerics, deterministic for a seed.
    public static func generateIds(count: Int, seed: UInt64) -> [String] {
        var rng = SeededGenerator(seed: seed ^ 0x5EED)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var seen = Set<String>()
        var ids: [String] = []
        ids.reserveCapacity(count)
        while ids.count < count {
            let id = "i-" + String((0..<8).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// Reads a fleet file's ids and statuses (`FleetFile`); its attributes are left out.
    public static func loadFleet(path: String) throws -> [(id: String, status: InstanceStatus)] {
        try FleetFile.load(path: path).map { ($0.id, $0.status) }
    }

    /// Appends `entries` to the fleet, with the attributes their lines give.
    public mutating func append(_ entries: [FleetEntry]) {
        for entry in entries {
            fleet.append((entry.id, entry.status))
            if let given = entry.attributes { attributes[entry.id] = given }
        }
    }
}
