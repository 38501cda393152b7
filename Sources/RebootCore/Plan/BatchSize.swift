/// How many instances a batch holds: a count, a percentage of the plan, or a list whose last
/// entry repeats (canary first: `[1, 5, "25%"]`).
public enum BatchSize: Sendable, Equatable, Codable {
    /// One entry of a batch-size list.
    public enum Step: Sendable, Equatable, Codable, CustomStringConvertible {
        case count(Int)
        case percent(Int)

        /// The batch size this step gives for a plan of `total` instances (rounded up, min 1).
        public func size(of total: Int) -> Int {
            switch self {
            case .count(let n): return max(1, n)
            case .percent(let p): return max(1, (total * p + 99) / 100)
            }
        }

        public var description: String {
            switch self {
            case .count(let n): return "\(n)"
            case .percent(let p): return "\(p)%"
            }
        }
    }

    case fixed(Step)
    case list([Step])

    public var steps: [Step] {
        switch self {
        case .fixed(let step): return [step]
        case .list(let steps): return steps
        }
    }
}
