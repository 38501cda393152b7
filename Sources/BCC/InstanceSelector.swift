/// Which instances a plan's `select` names (SPEC §2), and the list call that finds them (SPEC §1).
///
/// An instance is selected when it carries every tag in `tags`, is in one of `zones` and in one
/// of `deploySets` (when given), is named one of `instanceNames` (when given), its name starts
/// with `namePrefix` (when given) and its status is one of `statuses` (when given). Fields that
/// are empty do not narrow the selection.
///
/// On the wire (`query`) each field becomes BCC's filter, which ORs the values of one field and
/// ANDs the fields: `zoneName`, `deploySetIds`, `instanceNames` and `status` are comma-joined
/// lists. Two things BCC cannot say are narrowed on our side by `matches(_:)`:
/// - tags must all be carried, but BCC's `tags` filter ORs its values, so only the first tag is
///   sent (a subset of what sending all would list, so no more pages) and every tag is checked
///   on each listed instance;
/// - BCC has no prefix filter: `namePrefix` is sent as `fuzzyInstanceName` (a substring match),
///   and the prefix is checked on each listed instance. BCC refuses `fuzzyInstanceName` together
///   with `instanceNames`, so when both are given only `instanceNames` is sent.
///
/// `matches(_:)` checks every field, not only those two: an API that ignored or widened a filter
/// must never widen a selection of instances to reboot. An instance whose answer leaves out a
/// field the selector needs (no `zoneName`, no `tags`) is not selected.
public struct InstanceSelector: Sendable, Hashable {
    /// BCC's cap on the values of one list filter (`deploySetIds`, `instanceNames`).
    public static let maxValuesPerFilter = 100

    public var tags: [InstanceTag]
    public var zones: [String]
    public var deploySets: [String]
    public var namePrefix: String?
    public var instanceNames: [String]
    public var statuses: [InstanceStatus]

    public init(
        tags: [InstanceTag] = [], zones: [String] = [], deploySets: [String] = [], namePrefix: String? = nil,
        instanceNames: [String] = [], statuses: [InstanceStatus] = []
    ) {
        self.tags = tags
        self.zones = zones
        self.deploySets = deploySets
        self.namePrefix = namePrefix
        self.instanceNames = instanceNames
        self.statuses = statuses
    }

    /// What is wrong with the selector, one sentence each; empty when it can be listed.
    /// A selector that names no tag, zone, deploy set, name or prefix would list the whole
    /// account (a status alone does not narrow it enough) and is refused.
    public var problems: [String] {
        var out: [String] = []
        if tags.isEmpty && zones.isEmpty && deploySets.isEmpty && instanceNames.isEmpty && namePrefix == nil {
            out.append("a selector needs at least one of tags, zones, deploySets, instanceNames or namePrefix")
        }
        for tag in tags {
            if tag.key.isEmpty { out.append("tag \"\(tag)\" has an empty key") }
            if tag.description.contains(",") { out.append("tag \"\(tag)\" contains a comma, which the list call cannot carry") }
        }
        let lists: [(String, [String])] = [
            ("zones", zones), ("deploySets", deploySets), ("instanceNames", instanceNames), ("statuses", statuses.map(\.rawValue)),
        ]
        for (field, values) in lists {
            if values.contains(where: \.isEmpty) { out.append("\(field) has an empty value") }
            if let bad = values.first(where: { $0.contains(",") }) {
                out.append("\(field) value \"\(bad)\" contains a comma, which the list call cannot carry")
            }
            if values.count > Self.maxValuesPerFilter {
                out.append("\(field) has \(values.count) values; the list call takes at most \(Self.maxValuesPerFilter)")
            }
        }
        if let namePrefix, namePrefix.isEmpty { out.append("namePrefix is empty") }
        return out
    }

    /// The list call's filters, in a fixed order (paging parameters are the caller's).
    public var query: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if !zones.isEmpty { out.append(("zoneName", zones.joined(separator: ","))) }
        if let first = tags.first { out.append(("tags", first.description)) }
        if !deploySets.isEmpty { out.append(("deploySetIds", deploySets.joined(separator: ","))) }
        if !instanceNames.isEmpty {
            out.append(("instanceNames", instanceNames.joined(separator: ",")))
        } else if let namePrefix {
            out.append(("fuzzyInstanceName", namePrefix))
        }
        if !statuses.isEmpty { out.append(("status", statuses.map(\.rawValue).joined(separator: ","))) }
        return out
    }

    /// Whether a listed instance is selected: every field checked on our side (see the type).
    public func matches(_ instance: Instance) -> Bool {
        if !tags.isEmpty {
            guard let carried = instance.tags, tags.allSatisfy(carried.contains) else { return false }
        }
        if !zones.isEmpty {
            guard let zone = instance.zoneName, zones.contains(zone) else { return false }
        }
        if !deploySets.isEmpty {
            guard let sets = instance.deploySetIds, sets.contains(where: deploySets.contains) else { return false }
        }
        if !instanceNames.isEmpty {
            guard let name = instance.name, instanceNames.contains(name) else { return false }
        }
        if let namePrefix {
            guard let name = instance.name, name.hasPrefix(namePrefix) else { return false }
        }
        if !statuses.isEmpty && !statuses.contains(instance.status) { return false }
        return true
    }
}
