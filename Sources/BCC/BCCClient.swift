import Foundation

/// The BCC OpenAPI calls rebootd uses (SPEC §1), signed with bce-auth-v1, over an
/// `HTTPTransport`. Every answer is typed; every failure is a `BCCError`.
public final class BCCClient: Sendable {
    /// BCE's limit of ids per describe-many or batch call.
    public static let maxIdsPerCall = 100
    /// BCE's limit of instances on one page of the list call (SPEC §1).
    public static let maxInstancesPerPage = 1000

    public let endpoint: BCCEndpoint
    public let requestTimeout: TimeInterval
    let signer: BCESigner
    let transport: HTTPTransport
    let now: @Sendable () -> Date
    /// The API's clock, learned from its answers; requests are signed on it (SPEC §1).
    public let apiClock = APIClock()

    public init(
        endpoint: BCCEndpoint, credentials: BCECredentials, transport: HTTPTransport,
        requestTimeout: TimeInterval = 10, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = endpoint
        self.signer = BCESigner(credentials: credentials)
        self.transport = transport
        self.requestTimeout = requestTimeout
        self.now = now
    }

    /// How long a reboot call's signature is valid (SPEC §1): `requestTimeout` in whole seconds,
    /// rounded up, plus 5; never the SDK's 1800. BCE refuses it after that (`RequestExpired`), so
    /// the call can take effect only before its send plus this: its effect deadline.
    public static func rebootExpirationSeconds(requestTimeout: TimeInterval) -> Int {
        Int(max(0, requestTimeout).rounded(.up)) + 5
    }

    // MARK: - Calls, completion style (the scheduler's Dispatch world)

    /// `PUT /v2/instance/{id}?reboot`, signed with the short expiry. Succeeds with the request id.
    /// `mayStillSend` is asked once the request is signed, just before it is handed to the
    /// transport: false fails the call with `BCCError.notSent` and sends nothing (a leader's
    /// send deadline, SPEC §4.16: checked after the signing, the signature's time is never
    /// later than the deadline).
    public func reboot(
        _ id: String, forceStop: Bool, mayStillSend: (@Sendable () -> Bool)? = nil,
        completion: @escaping @Sendable (Result<String?, BCCError>) -> Void
    ) {
        let body = Data("{\"forceStop\":\(forceStop)}".utf8)
        send(
            method: "PUT", path: "/v2/instance/\(id)", query: [("reboot", nil)], body: body,
            expirationSeconds: Self.rebootExpirationSeconds(requestTimeout: requestTimeout), mayStillSend: mayStillSend
        ) { result in
            completion(result.map { $0.headers["x-bce-request-id"] })
        }
    }

    /// `GET /v2/instance/{id}`.
    public func describe(_ id: String, completion: @escaping @Sendable (Result<Instance, BCCError>) -> Void) {
        send(method: "GET", path: "/v2/instance/\(id)", query: [], body: nil) { result in
            completion(result.flatMap { Self.decode(InstanceEnvelope.self, $0).map(\.instance) })
        }
    }

    /// One page of `GET /v2/instance`, optionally filtered by ids (at most 100).
    public func listPage(
        instanceIds: [String]?, marker: String?, maxKeys: Int,
        completion: @escaping @Sendable (Result<InstanceListPage, BCCError>) -> Void
    ) {
        let filters = instanceIds.map { [("instanceIds", $0.joined(separator: ","))] } ?? []
        listPage(filters: filters, marker: marker, maxKeys: maxKeys, completion: completion)
    }

    /// One page of `GET /v2/instance` with the given filters (`instanceIds`, or a selector's query).
    func listPage(
        filters: [(String, String)], marker: String?, maxKeys: Int,
        completion: @escaping @Sendable (Result<InstanceListPage, BCCError>) -> Void
    ) {
        var query: [(String, String?)] = [("maxKeys", String(maxKeys))]
        for (name, value) in filters { query.append((name, value)) }
        if let marker, !marker.isEmpty { query.append(("marker", marker)) }
        send(method: "GET", path: "/v2/instance", query: query, body: nil) { result in
            completion(result.flatMap { Self.decode(InstanceListPage.self, $0) })
        }
    }

    /// Describes many instances, 100 ids a call, following `nextMarker` within each call.
    /// Ids the API does not return are absent from the result. Every call after the first waits
    /// for `nextPage` to go on (the caller's rate limiter, SPEC §4.2); a listing that does not
    /// end fails (`ListCollector`).
    public func describeMany(
        _ ids: [String], nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void = { $0() },
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        let chunks = stride(from: 0, to: ids.count, by: Self.maxIdsPerCall).map {
            Array(ids[$0..<min($0 + Self.maxIdsPerCall, ids.count)])
        }
        let listings = chunks.map { ListQuery(filters: [("instanceIds", $0.joined(separator: ","))], maxKeys: Self.maxIdsPerCall) }
        let collector = ListCollector(client: self, listings: listings, nextPage: nextPage, completion: completion)
        collector.next()
    }

    /// Lists the instances `selector` selects (SPEC §1, §2), in the list call's order: one
    /// listing of `GET /v2/instance` with the selector's `query`, at most `maxInstancesPerPage`
    /// a page, each page kept to the instances `selector.matches` (all tags carried, the name
    /// prefix, and every other field checked again on our side). The first page goes at once;
    /// every page after it is one call that waits for `nextPage` to go on (the caller's rate
    /// limiter, SPEC §4.2), exactly as `describeMany`; a listing that does not end fails
    /// (`ListCollector`). A selector with `problems` fails at once, without a call
    /// (`InvalidSelector`, instance-fatal).
    public func listInstances(
        matching selector: InstanceSelector,
        nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void = { $0() },
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        let problems = selector.problems
        guard problems.isEmpty else {
            completion(
                .failure(
                    BCCError(
                        httpStatus: nil, code: "InvalidSelector", message: problems.joined(separator: "; "), kind: .instanceFatal)))
            return
        }
        let listing = ListQuery(filters: selector.query.map { ($0.name, $0.value) }, maxKeys: Self.maxInstancesPerPage)
        let collector = ListCollector(
            client: self, listings: [listing], keep: { selector.matches($0) }, nextPage: nextPage, completion: completion)
        collector.next()
    }

    /// `PUT /v2/instance/batchAction?reboot` for at most 100 ids; returns the ids that failed.
    public func batchReboot(
        _ ids: [String], forceStop: Bool, completion: @escaping @Sendable (Result<BatchRebootResult, BCCError>) -> Void
    ) {
        guard ids.count <= Self.maxIdsPerCall else {
            completion(
                .failure(
                    BCCError(
                        httpStatus: nil, code: "TooManyIds",
                        message: "at most \(Self.maxIdsPerCall) ids per batch call, got \(ids.count)", kind: .instanceFatal)))
            return
        }
        struct Body: Encodable {
            let instanceIds: [String]
            let forceStop: Bool
        }
        let body = (try? JSONEncoder().encode(Body(instanceIds: ids, forceStop: forceStop))) ?? Data()
        send(
            method: "PUT", path: "/v2/instance/batchAction", query: [("reboot", nil)], body: body,
            expirationSeconds: Self.rebootExpirationSeconds(requestTimeout: requestTimeout)
        ) { result in
            completion(
                result.flatMap { response in
                    Self.decode(BatchRebootResult.self, response).map { r in
                        var r = r
                        if r.requestId == nil { r.requestId = response.headers["x-bce-request-id"] }
                        return r
                    }
                })
        }
    }

    // MARK: - Plumbing

    /// Signs and sends one request; maps every failure to a `BCCError`.
    func send(
        method: String, path: String, query: [(String, String?)], body: Data?,
        expirationSeconds: Int = BCESigner.defaultExpirationSeconds, mayStillSend: (@Sendable () -> Bool)? = nil,
        completion: @escaping @Sendable (Result<HTTPResponseData, BCCError>) -> Void
    ) {
        let mutating = method != "GET"
        let signedAt = apiClock.now(hostNow: now())
        var headers: [String: String] = [
            "Host": endpoint.hostHeader,
            "x-bce-date": BCESigner.canonicalTime(signedAt),
        ]
        var signed = ["host", "x-bce-date"]
        if let body {
            headers["Content-Type"] = "application/json"
            headers["Content-Length"] = String(body.count)
            signed += ["content-type", "content-length"]
        }
        let authorization = signer.authorization(
            method: method, path: path, query: query, headers: headers, timestamp: signedAt, expirationSeconds: expirationSeconds,
            signedHeaders: signed)
        headers["Authorization"] = authorization
        headers.removeValue(forKey: "Host")  // libcurl writes the same value itself
        let queryString = query.map { k, v in
            v.map { "\(URIEncoding.encode(k))=\(URIEncoding.encode($0))" } ?? URIEncoding.encode(k)
        }.joined(separator: "&")
        let urlString =
            endpoint.url.absoluteString + URIEncoding.encode(path, keepSlash: true)
            + (queryString.isEmpty ? "" : "?" + queryString)
        guard let url = URL(string: urlString) else {
            completion(
                .failure(
                    BCCError(
                        httpStatus: nil, code: "InvalidRequest",
                        message: "cannot build a URL for path \(path)", kind: .instanceFatal)))
            return
        }
        if let mayStillSend, !mayStillSend() { return completion(.failure(.notSent)) }
        let timeout = requestTimeout
        let endpointText = endpoint.url.absoluteString
        let apiClock = self.apiClock
        transport.send(HTTPRequestSpec(method: method, url: url, headers: headers, body: body), deadline: timeout) { result in
            if case .success(let response) = result, let date = response.headers["date"] {
                apiClock.observe(dateHeader: date)
            }
            switch result {
            case .failure(.notSent(let detail)):
                completion(.failure(.connectionFailed(detail)))
            case .failure(.timedOut):
                completion(.failure(.timeout(seconds: timeout, mutating: mutating)))
            case .failure(.lost(let detail)):
                completion(.failure(.connectionLost(detail, mutating: mutating)))
            case .failure(.untrusted(let detail)):
                completion(.failure(.untrustedServer(endpoint: endpointText, detail)))
            case .success(let response) where (200..<300).contains(response.status):
                completion(.success(response))
            case .success(let response):
                completion(.failure(Self.error(from: response, mutating: mutating)))
            }
        }
    }

    /// A 502 or 504 comes from a gateway that may have forwarded the request: for a call that
    /// changes something, the outcome is unknown (in doubt, SPEC §4.5).
    static func error(from response: HTTPResponseData, mutating: Bool = false) -> BCCError {
        let body = try? JSONDecoder().decode(BCEErrorBody.self, from: response.body)
        let retryAfter = response.headers["retry-after"].flatMap { RetryAfter.parse($0) }
        return BCCError(
            httpStatus: response.status,
            code: body?.code ?? "HTTP\(response.status)",
            message: body?.message ?? HTTPURLResponseStatusText.text(response.status),
            requestId: response.headers["x-bce-request-id"] ?? body?.requestId,
            inDoubt: mutating && (response.status == 502 || response.status == 504),
            retryAfter: retryAfter)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponseData) -> Result<T, BCCError> {
        do {
            return .success(try JSONDecoder().decode(type, from: response.body))
        } catch {
            return .failure(
                .invalidResponse(
                    "cannot decode \(T.self) from the answer (\(response.body.count) bytes)",
                    httpStatus: response.status, requestId: response.headers["x-bce-request-id"]))
        }
    }
}

/// Minimal reason phrases for answers without a BCE body.
enum HTTPURLResponseStatusText {
    static func text(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "HTTP \(status)"
        }
    }
}
