/// One page of `GET /v2/instance` (describe many).
public struct InstanceListPage: Codable, Sendable, Equatable {
    public var instances: [Instance]
    public var marker: String?
    public var isTruncated: Bool
    public var nextMarker: String?
    public var maxKeys: Int?

    public init(instances: [Instance], marker: String?, isTruncated: Bool, nextMarker: String?, maxKeys: Int?) {
        self.instances = instances
        self.marker = marker
        self.isTruncated = isTruncated
        self.nextMarker = nextMarker
        self.maxKeys = maxKeys
    }
}
