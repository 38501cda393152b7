/// One thing wrong with a plan or config file: where (key path, line, column) and what.
public struct ValidationProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public let path: String
    public let line: Int?
    public let column: Int?
    public let message: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var location = path.isEmpty ? "(file)" : SafeText.escaped(path)
        if let line { location += " (line \(line)\(column.map { ", column \($0)" } ?? ""))" }
        return "\(location): \(SafeText.escaped(message))"
    }
}
