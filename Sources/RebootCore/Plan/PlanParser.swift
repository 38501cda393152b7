import Foundation

/// Parses and validates a plan's text (SPEC §2). Every problem is reported, with its key path
/// and, where the parser gives them, line and column. The daemon and `rebootctl validate` both
/// call this.
public struct PlanParser: Sendable {
    /// The file formats a plan may have; the extension chooses.
    public enum Format: String, Sendable, Codable {
        case yaml
        case json

        public init?(fileExtension: String) {
            switch fileExtension.lowercased() {
            case "yaml", "yml": self = .yaml
            case "json": self = .json
            default: return nil
            }
        }
    }

    static let keys = [
        "name", "ticket", "instances", "batchSize", "forceStop", "pauseBetweenBatches", "maxFailures",
        "rebootTimeout", "conflictRetry", "window", "startAfter", "region", "dryRun", "healthGates",
        "select", "zones", "pauseBetweenZones", "checkpoints",
    ]
    static let namePattern = try! NSRegularExpression(pattern: "^[A-Za-z0-9._-]{1,64}$")
    /// Gates one plan may name.
    static let maxGates = 32
    /// Instance-id problems listed one by one before they are summed up.
    static let maxIdProblems = 20

    /// Regions the config knows; nil skips the check.
    public var knownRegions: Set<String>?

    /// Gates the config defines (SPEC §4.14); nil skips the check.
    public var knownGates: Set<String>?

    public init(knownRegions: Set<String>? = nil, knownGates: Set<String>? = nil) {
        self.knownRegions = knownRegions
        self.knownGates = knownGates
    }

    /// The parser for plans under `config`: its regions and gates.
    public init(config: RebootdConfig) {
        self.init(knownRegions: Set(config.regions.keys), knownGates: Set(config.gates.keys))
    }

    public func parse(_ text: String, fileName: String, format: Format) throws(ValidationError) -> Plan {
        let reader = NodeReader()
        guard let root = compose(text, format: format, reader: reader) else {
            throw ValidationError(file: fileName, problems: reader.problems)
        }
        let plan = read(root, fileName: fileName, reader: reader)
        guard reader.problems.isEmpty, let plan else { throw ValidationError(file: fileName, problems: reader.problems) }
        return plan
    }

    func compose(_ text: String, format: Format, reader: NodeReader) -> DataNode? {
        if format == .json {
            do {
                try StrictJSON.validate(text)
            } catch {
                reader.problem(
                    line: error.line, column: error.column, error.isLimit ? error.message : "not valid JSON: \(error.message)", path: error.path)
                return nil
            }
        }
        // Anchors, aliases, tags, complex keys, several documents, deep nesting and long scalars
        // are refused here, from the parser's events, before any node is built.
        let refused = YAMLDataGuard.check(text)
        guard refused.isEmpty else {
            reader.setProblems(reader.problems + refused)
            return nil
        }
        switch DataComposer.compose(text) {
        case .failure(let error):
            reader.setProblems(reader.problems + error.problems)
            return nil
        case .success(nil):
            reader.problem("", nil, "the file is empty")
            return nil
        case .success(let root?):
            return root
        }
    }

    func read(_ root: DataNode, fileName: String, reader r: NodeReader) -> Plan? {
        guard let map = r.mapping(root, path: "", allowed: Self.keys) else { return nil }

        var name = (fileName as NSString).deletingPathExtension
        name = (name as NSString).lastPathComponent
        if let node = map["name"] {
            if let value = r.string(node, path: "name") {
                if Self.matches(Self.namePattern, value) {
                    name = value
                } else {
                    r.problem("name", node, "must be 1 to 64 of A-Z a-z 0-9 . _ -, got \"\(value)\"")
                }
            }
        } else if !Self.matches(Self.namePattern, name) {
            name = String(name.map { Self.matches(Self.namePattern, String($0)) ? $0 : "-" }.prefix(64))
        }

        var instances: [String] = []
        if let node = map["instances"] {
            instances = readInstances(node, reader: r)
        } else if map["select"] == nil {
            r.problem("instances", root, "is required, or select: a list of instance ids like i-YufwpQAe, or a query by tag and zone")
        }
        let select = map["select"].flatMap { readSelection($0, reader: r) }

        var batchSize: BatchSize?
        if let node = map["batchSize"] {
            batchSize = readBatchSize(node, reader: r)
        } else {
            r.problem("batchSize", root, "is required: an integer >= 1, a percentage like \"25%\", or a list like [1, 5, \"25%\"]")
        }

        var plan = Plan(name: name, instances: instances, batchSize: batchSize ?? .fixed(.count(1)))
        if let n = map["ticket"] { plan.ticket = readTicket(n, reader: r) }
        plan.select = select
        if let n = map["zones"] { plan.zones = readZones(n, reader: r) }
        if let n = map["pauseBetweenZones"], let v = r.duration(n, path: "pauseBetweenZones") { plan.pauseBetweenZones = v }
        if let n = map["checkpoints"] {
            // The batches are known now unless the plan starts by learning ids or zones.
            plan.checkpoints = readCheckpoints(n, batchCount: plan.needsResolution ? nil : plan.layout.batches.count, reader: r)
        }
        if let n = map["forceStop"], let v = r.bool(n, path: "forceStop") { plan.forceStop = v }
        if let n = map["pauseBetweenBatches"], let v = r.duration(n, path: "pauseBetweenBatches") { plan.pauseBetweenBatches = v }
        if let n = map["maxFailures"] { plan.maxFailures = readBudget(n, reader: r) ?? plan.maxFailures }
        if let n = map["rebootTimeout"], let v = r.duration(n, path: "rebootTimeout", positive: true) { plan.rebootTimeout = v }
        if let n = map["conflictRetry"], let m = r.mapping(n, path: "conflictRetry", allowed: ["maxAttempts", "timeout"]) {
            if let a = m["maxAttempts"], let v = r.int(a, path: "conflictRetry.maxAttempts", min: 1) { plan.conflictRetry.maxAttempts = v }
            if let t = m["timeout"], let v = r.duration(t, path: "conflictRetry.timeout", positive: true) { plan.conflictRetry.timeout = v }
        }
        if let n = map["window"] { plan.window = readWindow(n, reader: r) }
        if let n = map["startAfter"], let text = r.string(n, path: "startAfter") {
            if let date = Self.parseRFC3339(text) {
                plan.startAfter = date
            } else {
                r.problem("startAfter", n, "must be an RFC 3339 time like 2026-11-28T01:00:00+08:00, got \"\(text)\"")
            }
        }
        if let n = map["region"], let v = r.string(n, path: "region") {
            if let known = knownRegions, !known.contains(v) {
                let list = known.isEmpty ? "the config defines no regions" : "known regions: \(known.sorted().joined(separator: ", "))"
                r.problem("region", n, "unknown region \"\(v)\"; \(list)")
            }
            plan.region = v
        }
        if let n = map["dryRun"], let v = r.bool(n, path: "dryRun") { plan.dryRun = v }
        if let n = map["healthGates"] { plan.healthGates = readGates(n, reader: r) }
        return plan
    }

    /// `healthGates`: names of gates the config defines; a plan can only name them (SPEC §4.14).
    func readGates(_ node: DataNode, reader r: NodeReader) -> [String]? {
        guard let seq = node.sequence else {
            r.problem("healthGates", node, "must be a list of gate names defined in the config's gates")
            return nil
        }
        guard seq.count <= Self.maxGates else {
            r.problem("healthGates", node, "names \(seq.count) gates; at most \(Self.maxGates) are allowed")
            return nil
        }
        var names: [String] = []
        var seen: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "healthGates[\(i)]"
            guard let name = r.string(item, path: path) else { continue }
            guard seen.insert(name).inserted else {
                r.problem(path, item, "gate \"\(name)\" is named twice")
                continue
            }
            if let known = knownGates, !known.contains(name) {
                let list = known.isEmpty ? "the config defines no gates" : "gates in the config: \(known.sorted().joined(separator: ", "))"
                r.problem(path, item, "unknown gate \"\(name)\"; \(list)")
            }
            names.append(name)
        }
        return names.isEmpty ? nil : names
    }

    func readInstances(_ node: DataNode, reader r: NodeReader) -> [String] {
        guard let seq = node.sequence else {
            r.problem("instances", node, "must be a list of instance ids")
            return []
        }
        if seq.isEmpty { r.problem("instances", node, "must list at least one instance") }
        if seq.count > Plan.maxInstances { r.problem("instances", node, "holds \(seq.count) ids; at most \(Plan.maxInstances) are allowed") }
        var ids: [String] = []
        ids.reserveCapacity(seq.count)
        for item in seq where !item.isNull { if let id = item.string { ids.append(id) } }
        let repeated = Self.repeats(seq)
        var reported = 0
        var unreported = 0
        for (i, item) in seq.enumerated() {
            let path = "instances[\(i)]"
            let problemAt: (String) -> Void = { message in
                if reported < Self.maxIdProblems {
                    r.problem(path, item, message)
                    reported += 1
                } else {
                    unreported += 1
                }
            }
            guard let id = item.scalar?.string, !item.isNull else {
                problemAt("must be an instance id string")
                continue
            }
            if !Self.isInstanceId(id) {
                problemAt("\"\(id)\" is not an instance id: \"i-\" followed by 1 to 64 letters or digits")
            } else if let first = repeated[i] {
                problemAt("\"\(id)\" is repeated (first at instances[\(first)])")
            }
        }
        if unreported > 0 { r.problem("instances", node, "and \(unreported) more bad instance ids") }
        return ids
    }

    /// For each later occurrence of a valid id listed more than once, the index of its first
    /// occurrence. Sorted indices instead of a dictionary of 100,000 ids: 400 KB, not 9 MB.
    static func repeats(_ items: [DataNode]) -> [Int: Int] {
        func id(_ i: Int32) -> String { items[Int(i)].string ?? "" }
        var order = items.indices.filter { !items[$0].isNull && items[$0].string.map(isInstanceId) == true }.map { Int32($0) }
        order.sort { a, b in
            let x = id(a)
            let y = id(b)
            return x == y ? a < b : x < y
        }
        var out: [Int: Int] = [:]
        var start = 0
        while start < order.count {
            let first = id(order[start])
            var end = start + 1
            while end < order.count && id(order[end]) == first {
                out[Int(order[end])] = Int(order[start])
                end += 1
            }
            start = end
        }
        return out
    }

    func readStep(_ node: DataNode, path: String, reader r: NodeReader) -> BatchSize.Step? {
        if node.tag == .int, let n = r.int(node, path: path, min: 1) { return .count(n) }
        if node.tag == .int { return nil }
        if let text = node.scalar?.string, node.tag == .str {
            return r.percent(text, node: node, path: path, minimum: 1).map { .percent($0) }
        }
        r.problem(path, node, "must be an integer >= 1 or a percentage like \"25%\"")
        return nil
    }

    func readBatchSize(_ node: DataNode, reader r: NodeReader) -> BatchSize? {
        if let seq = node.sequence {
            guard !seq.isEmpty else {
                r.problem("batchSize", node, "a batch-size list needs at least one entry")
                return nil
            }
            let steps = seq.enumerated().map { readStep($1, path: "batchSize[\($0)]", reader: r) }
            return steps.contains(nil) ? nil : .list(steps.compactMap { $0 })
        }
        return readStep(node, path: "batchSize", reader: r).map { .fixed($0) }
    }

    func readBudget(_ node: DataNode, reader r: NodeReader) -> FailureBudget? {
        if node.tag == .int { return r.int(node, path: "maxFailures", min: 0).map { .count($0) } }
        if let text = node.scalar?.string, node.tag == .str {
            return r.percent(text, node: node, path: "maxFailures", minimum: 0).map { .percent($0) }
        }
        r.problem("maxFailures", node, "must be an integer >= 0 or a percentage like \"10%\"")
        return nil
    }

    func readWindow(_ node: DataNode, reader r: NodeReader) -> MaintenanceWindow? {
        guard let m = r.mapping(node, path: "window", allowed: ["days", "start", "end", "timezone"]) else { return nil }
        var window = MaintenanceWindow(start: 0, end: 0)
        var ok = true
        if let d = m["days"] {
            if let seq = d.sequence, !seq.isEmpty {
                var days = Set<Int>()
                for (i, item) in seq.enumerated() {
                    if let s = item.scalar?.string, let index = MaintenanceWindow.dayNames.firstIndex(of: s.lowercased().prefix(3).description),
                        s.count >= 3
                    {
                        days.insert(index + 1)
                    } else {
                        r.problem("window.days[\(i)]", item, "must be a weekday: mon, tue, wed, thu, fri, sat or sun")
                        ok = false
                    }
                }
                window.days = days
            } else {
                r.problem("window.days", d, "must be a non-empty list of weekdays like [mon, tue]")
                ok = false
            }
        }
        for key in ["start", "end"] {
            guard let n = m[key] else {
                r.problem("window.\(key)", node, "is required: a local time like \"01:00\"")
                ok = false
                continue
            }
            guard let minutes = Self.clockMinutes(n) else {
                r.problem("window.\(key)", n, "must be a local time HH:MM from 00:00 to 23:59 (quote it in YAML)")
                ok = false
                continue
            }
            if key == "start" { window.start = minutes } else { window.end = minutes }
        }
        if let tz = m["timezone"], let name = r.string(tz, path: "window.timezone") {
            if TimeZone(identifier: name) == nil {
                r.problem("window.timezone", tz, "unknown IANA time zone \"\(name)\" (e.g. Asia/Shanghai, UTC)")
                ok = false
            } else {
                window.timezone = name
            }
        }
        return ok ? window : nil
    }

    /// "01:00" → 60. YAML 1.1 reads unquoted 01:00 as a sexagesimal integer; accept that too.
    static func clockMinutes(_ node: DataNode) -> Int? {
        guard let text = node.scalar?.string else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
            let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    public static func parseRFC3339(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    /// `i-` followed by 1 to 64 ASCII letters or digits.
    public static func isInstanceId(_ id: String) -> Bool {
        let bytes = id.utf8
        guard bytes.count >= 3, bytes.count <= 66, id.hasPrefix("i-") else { return false }
        return bytes.dropFirst(2).allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

extension NodeReader {
    func problem(line: Int, column: Int, _ message: String, path: String = "") {
        setProblems(problems + [ValidationProblem(path: path, line: line, column: column, message: message)])
    }
}
