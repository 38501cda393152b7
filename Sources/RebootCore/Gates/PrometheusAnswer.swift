import Foundation

/// Reads the answer of Prometheus' instant query API (`/api/v1/query`): the gate passes only
/// on `status: success` with an empty vector. Anything else blocks, with a reason.
enum PrometheusAnswer {
    struct Body: Decodable {
        struct DataPart: Decodable {
            let resultType: String
            let result: ResultList
        }
        let status: String
        let data: DataPart?
        let errorType: String?
        let error: String?
    }

    /// The `result` field: series for a vector or matrix; anything else is kept as "not series".
    enum ResultList: Decodable {
        case series([[String: String]])
        case other

        init(from decoder: Decoder) throws {
            struct Series: Decodable { let metric: [String: String] }
            if let list = try? decoder.singleValueContainer().decode([Series].self) { self = .series(list.map(\.metric)) } else { self = .other }
        }
    }

    static func result(status: Int, body: Data) -> GateResult {
        guard let answer = try? JSONDecoder().decode(Body.self, from: body) else {
            return .blocked(status == 200 ? "malformed answer (not Prometheus API JSON)" : "HTTP \(status)")
        }
        guard answer.status == "success", status == 200 else {
            let why = [answer.errorType, answer.error].compactMap { $0 }.joined(separator: ": ")
            return .blocked("prometheus error: HTTP \(status)\(why.isEmpty ? "" : ", \(SafeText.escaped(why))")")
        }
        guard let data = answer.data else { return .blocked("malformed answer (no data)") }
        guard data.resultType == "vector", case .series(let series) = data.result else {
            return .blocked("the query returned a \(SafeText.escaped(data.resultType)), not a vector")
        }
        guard let first = series.first else { return .passed("no series") }
        let labels = first.sorted { $0.key < $1.key }.filter { $0.key != "__name__" }
            .map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let name = first["__name__"] ?? ""
        return .blocked("\(series.count) series: \(SafeText.escaped(name)){\(SafeText.escaped(labels))}")
    }
}
