import BCC
import Foundation

/// `GateChecking` for real: Prometheus and HTTP gates over an `HTTPTransport` (AsyncHTTPClient
/// with the config's `caFile`, redirects never followed), command gates with `CommandGateRunner`.
/// A timeout, a refused connection or a malformed answer blocks, with that reason.
public struct LiveGateChecker: GateChecking {
    let transport: HTTPTransport

    public init(transport: HTTPTransport) { self.transport = transport }

    public func check(_ gate: HealthGate, context: GateContext, completion: @escaping @Sendable (GateResult) -> Void) {
        switch gate.kind {
        case .command(let argv):
            CommandGateRunner.run(argv, gate: gate.name, context: context, timeout: gate.timeout, completion: completion)
        case .http(let url):
            get(url, timeout: gate.timeout) { result in
                completion(
                    result.map { status, _ in
                        (200..<300).contains(status)
                            ? .passed("HTTP \(status)")
                            : .blocked("HTTP \(status)\((300..<400).contains(status) ? " (redirects are not followed)" : "")")
                    } ?? .blocked(Self.failureText(result.failure, timeout: gate.timeout)))
            }
        case .prometheus(let base, let query):
            guard let url = Self.queryURL(base: base, query: query) else {
                completion(.blocked("cannot build the query URL"))
                return
            }
            get(url, timeout: gate.timeout) { result in
                completion(
                    result.map { PrometheusAnswer.result(status: $0, body: $1) }
                        ?? .blocked(Self.failureText(result.failure, timeout: gate.timeout)))
            }
        }
    }

    /// `BASE/api/v1/query?query=…` (a base may carry a path prefix, like `/prometheus`).
    static func queryURL(base: URL, query: String) -> URL? {
        guard var parts = URLComponents(url: base, resolvingAgainstBaseURL: false) else { return nil }
        parts.path = (parts.path.hasSuffix("/") ? String(parts.path.dropLast()) : parts.path) + "/api/v1/query"
        parts.queryItems = [URLQueryItem(name: "query", value: query)]
        // `+` means a space to Prometheus' form parser; a literal plus must be escaped.
        parts.percentEncodedQuery = parts.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return parts.url
    }

    static func failureText(_ failure: TransportFailure?, timeout: TimeInterval) -> String {
        switch failure {
        case .timedOut: "timeout after \(DurationParser.format(timeout))"
        case .notSent(let why): why
        case .lost(let why): why
        case .untrusted(let why): "TLS: \(why)"
        case nil: "no answer"
        }
    }

    /// The outcome of one GET: the status and body, or why none came.
    struct Answer {
        let status: Int?
        let body: Data
        let failure: TransportFailure?

        func map(_ f: (Int, Data) -> GateResult) -> GateResult? { status.map { f($0, body) } }
    }

    func get(_ url: URL, timeout: TimeInterval, completion: @escaping @Sendable (Answer) -> Void) {
        let request = HTTPRequestSpec(method: "GET", url: url, headers: ["Accept": "application/json", "User-Agent": "rebootd"], body: nil)
        transport.send(request, deadline: timeout) { result in
            switch result {
            case .success(let response): completion(Answer(status: response.status, body: response.body, failure: nil))
            case .failure(let failure): completion(Answer(status: nil, body: Data(), failure: failure))
            }
        }
    }
}
