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
