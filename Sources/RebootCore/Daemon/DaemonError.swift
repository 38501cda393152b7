/// Why the daemon cannot start, with the exit code it maps to (78 for configuration).
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    public enum Code: Int32, Sendable {
        case configuration = 78
        case failure = 1
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
