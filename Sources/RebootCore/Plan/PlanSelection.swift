import Foundation

/// A plan's `select` (SPEC §2): a query resolved once, when the plan starts, through the list
/// call. An instance matches when it carries every tag, and is in one of the zones and one of
/// the deploy sets when those are given, and its name starts with `namePrefix` when given.
public struct PlanSelection: Sendable, Equatable, Codable {
    /// `key:value` pairs, every one required.
    public var tags: [String]
    public var zones: [String]?
    public var deploySets: [String]?
    public var namePrefix: String?

    public init(tags: [String] = [], zones: [String]? = nil, deploySets: [String]? = nil, namePrefix: String? = nil) {
        self.tags = tags
        self.zones = zones
        self.deploySets = deploySets
        self.namePrefix = namePrefix
    }

    /// The tags as key and value (a tag is `key:value`; the value may be empty).
    public var tagPairs: [(key: String, value: String)] {
        tags.map { tag in
            let parts = tag.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// `tags env:prod,role:web; zones cn-bj-a; namePrefix web-`: for the journal and `preview`.
    public var summary: String {
        var parts: [String] = []
        if !tags.isEmpty { parts.append("tags \(tags.joined(separator: ","))") }
        if let zones { parts.append("zones \(zones.joined(separator: ","))") }
        if let deploySets { parts.append("deploySets \(deploySets.joined(separator: ","))") }
        if let namePrefix { parts.append("namePrefix \(namePrefix)") }
        return parts.joined(separator: "; ")
    }
}
