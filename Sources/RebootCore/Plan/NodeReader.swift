import Foundation

/// Walks a composed YAML/JSON `DataNode` tree, converting values and collecting every problem with
/// its key path and position. Shared by the plan and config parsers.
final class NodeReader {
    private(set) var problems: [ValidationProblem] = []

    func setProblems(_ all: [ValidationProblem]) { problems = all }

    func problem(_ path: String, _ node: DataNode?, _ message: String) {
        problems.append(ValidationProblem(path: path, line: node?.line, column: node?.column, message: message))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The mapping's entries by key; unknown keys are problems (`DataComposer` refuses duplicates).
    func mapping(_ node: DataNode, path: String, allowed: [String]) -> [String: DataNode]? {
        guard let mapping = node.mapping else {
            problem(path, node, "must be a mapping of keys to values")
            return nil
        }
        var out: [String: DataNode] = [:]
        let allowedSet = Set(allowed)
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                problem(path, keyNode, "keys must be strings")
                continue
            }
            let keyPath = Self.join(path, key)
            if !allowedSet.contains(key) {
                let hint = Self.closest(key, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
                problem(keyPath, keyNode, "unknown key\(hint); allowed keys: \(allowed.joined(separator: ", "))")
                continue
            }
            out[key] = value
        }
        return out
    }

    func isNull(_ node: DataNode) -> Bool { node.isNull }

    func int(_ node: DataNode, path: String, min: Int, max: Int = Int.max) -> Int? {
        guard let scalar = node.scalar, node.tag == .int, let value = Self.integer(scalar.string) else {
            problem(path, node, "must be an integer")
            return nil
        }
        guard value >= min && value <= max else {
            problem(path, node, max == Int.max ? "must be at least \(min), got \(value)" : "must be between \(min) and \(max), got \(value)")
            return nil
        }
        return value
    }

    func bool(_ node: DataNode, path: String) -> Bool? {
        guard let value = node.bool else {
            problem(path, node, "must be true or false")
            return nil
        }
        return value
    }

    func string(_ node: DataNode, path: String) -> String? {
        guard let scalar = node.scalar, !node.isNull else {
            problem(path, node, "must be a string")
            return nil
        }
        return scalar.string
    }

    /// A YAML 1.1 integer (decimal, 0x, 0o, 0b, leading-0 octal, base 60 like 1:30, `_` as a
    /// separator), or nil when it does not fit an Int. Yams' own conversion traps on an overflow
    /// in base 60 (`1:0:0:0:0:0:0:0:0:0:0`), so node.int is never used.
    static func integer(_ text: String) -> Int? {
        var s = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if s.hasPrefix("-") {
            negative = true
            s = s.dropFirst()
        } else if s.hasPrefix("+") {
            s = s.dropFirst()
        }
        guard let first = s.first, first.isASCII, first.isNumber else { return nil }
        var magnitude: Int?
        if s.contains(":") {
            var total = 0
            for part in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let digit = Int(part) else { return nil }
                let (shifted, o1) = total.multipliedReportingOverflow(by: 60)
                let (sum, o2) = shifted.addingReportingOverflow(digit)
                if o1 || o2 { return nil }
                total = sum
            }
            magnitude = total
        } else if s.hasPrefix("0x") {
            magnitude = Int(s.dropFirst(2), radix: 16)
        } else if s.hasPrefix("0o") {
            magnitude = Int(s.dropFirst(2), radix: 8)
        } else if s.hasPrefix("0b") {
            magnitude = Int(s.dropFirst(2), radix: 2)
        } else if s.count > 1 && s.hasPrefix("0") {
            magnitude = Int(s.dropFirst(), radix: 8)
        } else {
            magnitude = Int(s, radix: 10)
        }
        guard let m = magnitude, m >= 0 else { return nil }
        return negative ? -m : m
    }

    func duration(_ node: DataNode, path: String, positive: Bool = false) -> TimeInterval? {
        guard let scalar = node.scalar, !node.isNull else {
            problem(path, node, DurationParser.explain(.malformed))
            return nil
        }
        let seconds: TimeInterval
        switch DurationParser.check(scalar.string) {
        case .success(let value): seconds = value
        case .failure(let failure):
            problem(path, node, DurationParser.explain(failure) + (failure == .tooLong ? ", got \(scalar.string)" : ""))
            return nil
        }
        if positive && seconds <= 0 {
            problem(path, node, "must be greater than zero")
            return nil
        }
        return seconds
    }

    /// `N%` with 0...100 (or 1...100 when `minimum` is 1).
    func percent(_ text: String, node: DataNode, path: String, minimum: Int) -> Int? {
        guard text.hasSuffix("%"), let p = Int(text.dropLast()), p >= minimum, p <= 100 else {
            problem(path, node, "a percentage must look like \"25%\", from \(minimum)% to 100%")
            return nil
        }
        return p
    }

    /// Suggests a known key for a typo (edit distance at most 2).
    static func closest(_ key: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var previous = row[0]
                row[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    let saved = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = saved
                }
            }
            return row[b.count]
        }
        let lower = Array(key.lowercased())
        return candidates.map { ($0, distance(lower, Array($0.lowercased()))) }
            .filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }
}
