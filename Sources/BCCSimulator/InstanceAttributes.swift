import BCC

/// What a simulated instance carries besides its status: the name, zone, tags and deploy sets
/// the describe and list calls answer with and the list call filters by.
///
/// An instance gets them from its fleet-file line, or else from `spread(index:zones:)`.
public struct InstanceAttributes: Sendable, Equatable {
    /// The zones of the spread when none are given (`--zones`).
    public static let defaultZones = ["cn-bj-a", "cn-bj-b", "cn-bj-c"]

    public var name: String
    public var zoneName: String?
    public var tags: [InstanceTag]
    public var deploySetIds: [String]

    public init(name: String, zoneName: String? = nil, tags: [InstanceTag] = [], deploySetIds: [String] = []) {
        self.name = name
        self.zoneName = zoneName
        self.tags = tags
        self.deploySetIds = deploySetIds
    }

    /// The name of an instance whose fleet-file line gives attributes but no `name=`.
    public static func defaultName(id: String) -> String { "sim-\(id)" }

    /// The deterministic spread for the instance at `index` (0-based, fleet order), in rows of
    /// `zones.count` instances, one per zone:
    /// - zone: `zones[index % zones.count]` (round-robin), and one deploy set per zone,
    ///   `dset-` + the zone's name;
    /// - tags: `env:prod` (`env:staging` on every fifth row: rows 4, 9, 14, …) and `role:web` on
    ///   even rows, `role:db` on odd rows, so every zone holds both roles;
    /// - name: the role, `-`, and the 1-based position in five digits at least (`web-00001`).
    /// With no zones, instances have no zone and no deploy set.
    public static func spread(index: Int, zones: [String]) -> InstanceAttributes {
        let row = zones.isEmpty ? index : index / zones.count
        let role = row % 2 == 0 ? "web" : "db"
        let env = row % 5 == 4 ? "staging" : "prod"
        let zone = zones.isEmpty ? nil : zones[index % zones.count]
        let number = String(index + 1)
        return InstanceAttributes(
            name: "\(role)-" + String(repeating: "0", count: max(0, 5 - number.count)) + number,
            zoneName: zone,
            tags: [InstanceTag(key: "env", value: env), InstanceTag(key: "role", value: role)],
            deploySetIds: zone.map { ["dset-\($0)"] } ?? [])
    }
}
