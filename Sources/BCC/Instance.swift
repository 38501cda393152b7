/// One BCC instance as the describe calls return it (the fields rebootd uses).
public struct Instance: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var status: InstanceStatus

    public init(id: String, name: String? = nil, status: InstanceStatus) {
        self.id = id
        self.name = name
        self.status = status
    }
}

/// The body of `GET /v2/instance/{id}`.
public struct InstanceEnvelope: Codable, Sendable {
    public var instance: Instance
    public init(instance: Instance) { self.instance = instance }
}

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

/// The body of `PUT /v2/instance/batchAction?reboot`.
public struct BatchRebootResult: Codable, Sendable, Equatable {
    public var requestId: String?
    public var failedInstanceIdList: [String]

    public init(requestId: String?, failedInstanceIdList: [String]) {
        self.requestId = requestId
        self.failedInstanceIdList = failedInstanceIdList
    }
}

/// BCE's JSON error body.
public struct BCEErrorBody: Codable, Sendable {
    public var requestId: String?
    public var code: String?
    public var message: String?

    public init(requestId: String?, code: String?, message: String?) {
        self.requestId = requestId
        self.code = code
        self.message = message
    }
}
