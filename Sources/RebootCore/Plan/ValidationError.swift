/// A file rejected as a whole, with every problem found.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let problems: [ValidationProblem]

    public init(file: String, problems: [ValidationProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        "\(SafeText.escaped(file)): \(problems.count) problem\(problems.count == 1 ? "" : "s")\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
