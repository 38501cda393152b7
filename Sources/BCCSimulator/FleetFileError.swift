/// A fleet-file line bcc-sim cannot read: the 1-based line number and what is wrong with it.
public struct FleetFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String

    public var description: String { "fleet file line \(line): \(message)" }
}
