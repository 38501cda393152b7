/// The body of `GET /v2/instance/{id}`.
public struct InstanceEnvelope: Codable, Sendable {
    public var instance: Instance
    public init(instance: Instance) { self.instance = instance }
}
