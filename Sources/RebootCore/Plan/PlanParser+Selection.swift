import Foundation

/// `select`, `zones`, `pauseBetweenZones` and `checkpoints` (SPEC §2, issue 26).
extension PlanParser {
    static let selectionKeys = ["tags", "zones", "deploySets", "namePrefix"]
    /// A tag `key:value` as BCC allows it: a key of 1 to 128 characters, a value of up to 256,
    /// printable, without the `,` the list call separates values with.
    static let tagPattern = try! NSRegularExpression(pattern: "^[^:,\\p{Cc}]{1,128}:[^,\\p{Cc}]{0,256}$")
    /// Zone names (`cn-bj-a`) and deploy-set ids (`dset-1x2y`).
    static let zoneLikePattern = try! NSRegularExpression(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    /// Values one `select` field may list.
    static let maxSelectValues = 100

    func readSelection(_ node: DataNode, reader r: NodeReader) -> PlanSelection? {
        guard let map = r.mapping(node, path: "select", allowed: Self.selectionKeys) else { return nil }
        guard !map.isEmpty else {
            r.problem("select", node, "must give at least one of tags, zones, deploySets, namePrefix")
            return nil
        }
        var selection = PlanSelection()
        if let n = map["tags"] {
            selection.tags = readList(n, path: "select.tags", pattern: Self.tagPattern, what: "a tag key:value like env:prod", reader: r) ?? []
        }
        if let n = map["zones"] {
            selection.zones = readList(n, path: "select.zones", pattern: Self.zoneLikePattern, what: "a zone name like cn-bj-a", reader: r)
        }
        if let n = map["deploySets"] {
            selection.deploySets = readList(
                n, path: "select.deploySets", pattern: Self.zoneLikePattern, what: "a deploy set id like dset-1x2y", reader: r)
        }
        if let n = map["namePrefix"], let v = r.string(n, path: "select.namePrefix") {
            if v.isEmpty || v.count > 64 || v.contains(where: { $0.isNewline || $0 == "," }) {
                r.problem("select.namePrefix", n, "must be 1 to 64 characters, without commas or line breaks")
            } else {
                selection.namePrefix = v
            }
        }
        return selection
    }

    /// A non-empty list of unique strings, each matching `pattern`.
    func readList(_ node: DataNode, path: String, pattern: NSRegularExpression, what: String, reader r: NodeReader) -> [String]? {
        guard let seq = node.sequence, !seq.isEmpty else {
            r.problem(path, node, "must be a non-empty list, each \(what)")
            return nil
        }
        guard seq.count <= Self.maxSelectValues else {
            r.problem(path, node, "lists \(seq.count) values; at most \(Self.maxSelectValues) are allowed")
            return nil
        }
        var values: [String] = []
        for (i, item) in seq.enumerated() {
            guard let v = item.scalar?.string, !item.isNull else {
                r.problem("\(path)[\(i)]", item, "must be \(what)")
                continue
            }
            if !Self.matches(pattern, v) {
                r.problem("\(path)[\(i)]", item, "must be \(what), got \"\(SafeText.escaped(String(v.prefix(80))))\"")
            } else if values.contains(v) {
                r.problem("\(path)[\(i)]", item, "\"\(v)\" is listed twice")
            } else {
                values.append(v)
            }
        }
        return values
    }

    func readZones(_ node: DataNode, reader r: NodeReader) -> ZoneRolling? {
        guard let v = r.string(node, path: "zones") else { return nil }
        guard let rolling = ZoneRolling(rawValue: v) else {
            r.problem("zones", node, "must be mixed or one-at-a-time, got \"\(SafeText.escaped(String(v.prefix(80))))\"")
            return nil
        }
        return rolling
    }

    /// `checkpoints`: batch numbers (1-based), ascending, each at most the number of batches
    /// when the plan's layout is known now (`batchCount`).
    func readCheckpoints(_ node: DataNode, batchCount: Int?, reader r: NodeReader) -> [Int]? {
        guard let seq = node.sequence, !seq.isEmpty else {
            r.problem("checkpoints", node, "must be a non-empty list of batch numbers (1-based), like [1]")
            return nil
        }
        var out: [Int] = []
        for (i, item) in seq.enumerated() {
            guard let n = r.int(item, path: "checkpoints[\(i)]", min: 1) else { continue }
            if let last = out.last, n <= last {
                r.problem("checkpoints[\(i)]", item, "must be after \(last): list the batches in ascending order, each once")
            } else if let batchCount, n >= batchCount {
                r.problem(
                    "checkpoints[\(i)]", item,
                    n == batchCount
                        ? "batch \(n) is the last: a checkpoint after it would hold nothing"
                        : "batch \(n) is past the plan's \(batchCount) batches")
            } else {
                out.append(n)
            }
        }
        return out
    }
}
