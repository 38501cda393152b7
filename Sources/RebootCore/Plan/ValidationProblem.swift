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
        var location = path.isEmpty ? "(file)" : path
        if let line { location += " (line \(line)\(column.map { ", column \($0)" } ?? ""))" }
        return "\(location): \(message)"
    }
}

/// A file rejected as a whole, with every problem found.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let problems: [ValidationProblem]

    public init(file: String, problems: [ValidationProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        "\(file): \(problems.count) problem\(problems.count == 1 ? "" : "s")\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
