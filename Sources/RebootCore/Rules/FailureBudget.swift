/// `maxFailures`: failed instances tolerated before the plan halts, as a count or a percentage.
public enum FailureBudget: Sendable, Equatable, Codable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// Failures allowed in a plan of `total` instances (a percentage rounds down).
    public func allowed(of total: Int) -> Int {
        switch self {
        case .count(let n): return n
        case .percent(let p): return total * p / 100
        }
    }

    /// True when `failed` failures exceed the budget: the plan halts.
    public func isExceeded(failed: Int, total: Int) -> Bool { failed > allowed(of: total) }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let p): return "\(p)%"
        }
    }
}
