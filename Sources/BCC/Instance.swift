/// One BCC instance as the describe and list calls return it (the fields rebootd uses).
///
/// `zoneName`, `tags` and `deploySetIds` are optional: the daemon keeps its own compact records,
/// and an `Instance` is a transient answer, so nothing is stored for a field the API left out.
/// Deploy sets are read from `deploySetIds` and `deploySetId` (SPEC §1) and from the SDK's
/// spellings `deploysetId` and `deploysetList[].deploysetId`, merged in that order without
/// repeats; they are written back as `deploySetIds` only.
public struct Instance: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var status: InstanceStatus
    public var zoneName: String?
    public var tags: [InstanceTag]?
    public var deploySetIds: [String]?

    public init(
        id: String, name: String? = nil, status: InstanceStatus, zoneName: String? = nil, tags: [InstanceTag]? = nil,
        deploySetIds: [String]? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.zoneName = zoneName
        self.tags = tags
        self.deploySetIds = deploySetIds
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, zoneName, tags, deploySetIds, deploySetId
        case sdkDeploySetId = "deploysetId"
        case sdkDeploySetList = "deploysetList"
    }

    /// One entry of the SDK's `deploysetList`.
    private struct DeploySetEntry: Decodable {
        let deploysetId: String?
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        status = try c.decode(InstanceStatus.self, forKey: .status)
        zoneName = try c.decodeIfPresent(String.self, forKey: .zoneName)
        tags = try c.decodeIfPresent([InstanceTag].self, forKey: .tags)
        var sets: [String]?
        func add(_ id: String?) {
            guard let id, !id.isEmpty else { return }
            if sets == nil { sets = [] }
            if !sets!.contains(id) { sets!.append(id) }
        }
        if let many = try c.decodeIfPresent([String].self, forKey: .deploySetIds) {
            sets = []
            for id in many { add(id) }
        }
        add(try c.decodeIfPresent(String.self, forKey: .deploySetId))
        add(try c.decodeIfPresent(String.self, forKey: .sdkDeploySetId))
        for entry in try c.decodeIfPresent([DeploySetEntry].self, forKey: .sdkDeploySetList) ?? [] { add(entry.deploysetId) }
        deploySetIds = sets
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(zoneName, forKey: .zoneName)
        try c.encodeIfPresent(tags, forKey: .tags)
        try c.encodeIfPresent(deploySetIds, forKey: .deploySetIds)
    }
}
