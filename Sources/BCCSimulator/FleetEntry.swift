import BCC

/// One line of a fleet file: an instance id, its initial status, and the attributes the line
/// gives (nil: none given, the instance gets the spread).
public struct FleetEntry: Sendable, Equatable {
    public var id: String
    public var status: InstanceStatus
    public var attributes: InstanceAttributes?

    public init(id: String, status: InstanceStatus = .running, attributes: InstanceAttributes? = nil) {
        self.id = id
        self.status = status
        self.attributes = attributes
    }
}
