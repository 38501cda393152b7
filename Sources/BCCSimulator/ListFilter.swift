import BCC
import Foundation

/// The list call's selection filters as bcc-sim reads them from `GET /v2/instance`'s query, with
/// BCC's rules: different fields AND, the comma-separated values of one field OR; an empty
/// parameter is no filter.
///
/// `zoneName`, `deploySetIds`, `instanceNames` and `status` match exactly (any listed value);
/// `tags` values are `key:value` (that tag) or `key` (the key with any value), and an instance
/// matches when it carries any of them; `fuzzyInstanceName` matches a name that contains it
/// (case-sensitive). `instanceNames` with `fuzzyInstanceName`, or more than 100 values of
/// `deploySetIds` or `instanceNames`, is refused (400 `InvalidParameter`), as BCC does.
struct ListFilter: Sendable, Equatable {
    /// The query parameters read as filters, in the order the log shows them.
    static let parameters = ["zoneName", "tags", "deploySetIds", "instanceNames", "fuzzyInstanceName", "status"]

    var zoneNames: Set<String>?
    var tags: Set<InstanceTag>?
    var tagKeys: Set<String>?
    var deploySetIds: Set<String>?
    var instanceNames: Set<String>?
    var fuzzyName: String?
    var statuses: Set<String>?

    /// The filters of a query (last value of a repeated parameter), or why BCC would refuse them.
    static func parse(_ params: [String: String]) -> Result<ListFilter, ListFilterError> {
        func values(_ name: String) -> [String]? {
            let list = (params[name] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return list.isEmpty ? nil : list
        }
        var filter = ListFilter()
        filter.zoneNames = values("zoneName").map(Set.init)
        if let tags = values("tags") {
            let pairs = tags.compactMap { InstanceTag(parsing: $0) }
            let keys = tags.filter { !$0.contains(":") }
            filter.tags = Set(pairs)
            filter.tagKeys = Set(keys)
        }
        let sets = values("deploySetIds")
        let names = values("instanceNames")
        for (name, list) in [("deploySetIds", sets), ("instanceNames", names)] where (list?.count ?? 0) > 100 {
            return .failure(ListFilterError(message: "at most 100 \(name) per call"))
        }
        filter.deploySetIds = sets.map(Set.init)
        filter.instanceNames = names.map(Set.init)
        if let fuzzy = params["fuzzyInstanceName"], !fuzzy.isEmpty { filter.fuzzyName = fuzzy }
        if filter.instanceNames != nil && filter.fuzzyName != nil {
            return .failure(ListFilterError(message: "instanceNames and fuzzyInstanceName cannot be given together"))
        }
        filter.statuses = values("status").map(Set.init)
        return .success(filter)
    }

    /// The filter parameters of a query that are not empty, for the request log; nil when none.
    static func logged(_ query: [(String, String?)]) -> [String: String]? {
        var out: [String: String] = [:]
        for (name, value) in query where parameters.contains(name) {
            if let value, !value.isEmpty { out[name] = value }
        }
        return out.isEmpty ? nil : out
    }

    /// Whether the filters that do not depend on the status select an instance with `a`.
    func matches(_ a: InstanceAttributes) -> Bool {
        if let zoneNames {
            guard let zone = a.zoneName, zoneNames.contains(zone) else { return false }
        }
        if tags != nil || tagKeys != nil {
            let carried = a.tags.contains { (tags?.contains($0) ?? false) || (tagKeys?.contains($0.key) ?? false) }
            if !carried { return false }
        }
        if let deploySetIds, !a.deploySetIds.contains(where: deploySetIds.contains) { return false }
        if let instanceNames, !instanceNames.contains(a.name) { return false }
        if let fuzzyName, !a.name.contains(fuzzyName) { return false }
        return true
    }

    func matches(status: InstanceStatus) -> Bool {
        statuses?.contains(status.rawValue) ?? true
    }
}
