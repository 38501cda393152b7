import BCC
import Foundation

/// The list call, `GET /v2/instance`: by ids (describe many) or by filters (`ListFilter`), paged
/// by `maxKeys` (1 to 1,000, default 1,000) and `marker` (the id the page starts at), in fleet
/// order (by ids: in the order asked), with `isTruncated` and `nextMarker` as BCC answers.
extension BCCSimulator {
    /// `answered` receives the statuses the page reports, for the request log.
    /// `endless`: the listing never ends (a fault): every page is the first one, truncated,
    /// with a new `nextMarker`, and any marker is taken.
    func describeMany(
        query: [(String, String?)], requestId: String, ids: inout [String], answered: inout [String: InstanceStatus],
        endless: Bool = false
    ) -> SimulatedResponse {
        var params: [String: String] = [:]
        for (k, v) in query { params[k] = v ?? "" }
        let maxKeys = min(max(Int(params["maxKeys"] ?? "") ?? 1000, 1), 1000)
        var candidates: [String]?
        if let wanted = params["instanceIds"], !wanted.isEmpty {
            ids = wanted.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            candidates = ids
        }
        let filter: ListFilter
        switch ListFilter.parse(params) {
        case .success(let parsed): filter = parsed
        case .failure(let refusal): return .error(400, "InvalidParameter", refusal.message, requestId: requestId)
        }
        let marker = params["marker"] ?? ""
        if endless {
            let first = fleet.page(candidates: candidates, filter: filter, marker: nil, limit: maxKeys)?.instances ?? []
            answered = Dictionary(first.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
            let page = Int(marker.dropFirst("endless-".count)) ?? 0
            return .json(
                InstanceListPage(instances: first, marker: marker, isTruncated: true, nextMarker: "endless-\(page + 1)", maxKeys: maxKeys))
        }
        guard let (instances, next) = fleet.page(candidates: candidates, filter: filter, marker: marker, limit: maxKeys) else {
            return .error(400, "InvalidParameter", "the marker \(marker) is not valid", requestId: requestId)
        }
        answered = Dictionary(instances.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
        return .json(
            InstanceListPage(instances: instances, marker: marker, isTruncated: next != nil, nextMarker: next ?? "", maxKeys: maxKeys))
    }
}
