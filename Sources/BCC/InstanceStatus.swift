/// An instance's status as BCE reports it. Unknown values are kept verbatim and count as
/// "not Running", as the contract requires.
public struct InstanceStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let running = InstanceStatus("Running")
    public static let starting = InstanceStatus("Starting")
    public static let stopping = InstanceStatus("Stopping")
    public static let stopped = InstanceStatus("Stopped")
    public static let recycled = InstanceStatus("Recycled")
    public static let deleted = InstanceStatus("Deleted")
    public static let expired = InstanceStatus("Expired")
    public static let error = InstanceStatus("Error")
    public static let scaling = InstanceStatus("Scaling")

    public var isRunning: Bool { self == .running }

    /// Statuses an instance does not leave by itself: a reboot is pointless, so it is skipped.
    public var isParked: Bool { [.stopped, .expired, .recycled, .deleted].contains(self) }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
