import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `HTTPTransport` on Foundation's URLSession (libcurl on Linux).
///
/// URLSession's resource timeout is not enforced on Linux and `timeoutInterval` is truncated to
/// whole seconds, so every call gets its own deadline here; the first of answer and deadline
/// wins and the other is dropped. Deadlines are swept by one repeating timer (every 50 ms)
/// rather than a dispatch timer per request, which cost a dispatch-manager wake-up each.
///
/// A request that changes something (a reboot) never goes on a reused connection: libcurl sends
/// a request again by itself when a reused keep-alive connection dies before a byte of the
/// answer, and a reboot the API already applied would then be applied twice, unseen by the
/// daemon (SPEC §4.8). Each such request gets a session (a connection pool) of its own,
/// invalidated once it is answered, so it always opens a fresh connection.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession
    private let configuration: URLSessionConfiguration
    private let sweeper: DeadlineSweeper

    /// libcurl follows `https_proxy`/`http_proxy`/`no_proxy` from the environment itself. An
    /// explicit proxy cannot be set: URLSession on Linux does not pass
    /// `connectionProxyDictionary` to libcurl (the config refuses `proxy` with `curl`).
    public init(maxConnections: Int = 8) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnections)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        self.configuration = configuration
        session = URLSession(configuration: configuration)
        sweeper = DeadlineSweeper(interval: 0.05)
    }

    deinit { session.invalidateAndCancel() }

    public func send(
        _ request: HTTPRequestSpec, deadline: TimeInterval,
        completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
    ) {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        // Whole seconds only on Linux; our own timer below is the real deadline.
        urlRequest.timeoutInterval = max(1, deadline.rounded(.up) + 1)
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let changes = request.method != "GET" && request.method != "HEAD"
        if changes { urlRequest.setValue("close", forHTTPHeaderField: "Connection") }
        // A change: a pool of its own, given up once the task ends, so no connection is reused.
        let taskSession = changes ? URLSession(configuration: configuration) : session

        let once = CompletionOnce(completion)
        let task = taskSession.dataTask(with: urlRequest) { data, response, error in
            if changes { taskSession.finishTasksAndInvalidate() }
            if let error {
                once.fire(.failure(Self.classify(error)))
                return
            }
            guard let http = response as? HTTPURLResponse else {
                once.fire(.failure(.lost("no HTTP response")))
                return
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
            }
            once.fire(.success(HTTPResponseData(status: http.statusCode, headers: headers, body: data ?? Data())))
        }
        sweeper.add(deadline: DeadlineSweeper.now() + deadline) { [weak task] in
            if once.fire(.failure(.timedOut)) { task?.cancel() }
        } isDone: {
            once.hasFired
        }
        task.resume()
    }

    static func classify(_ error: Error) -> TransportFailure {
        guard let urlError = error as? URLError else { return .lost(String(describing: type(of: error))) }
        switch urlError.code {
        case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot:
            return .untrusted("URLError \(urlError.code.rawValue)")
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
            .badURL, .unsupportedURL, .secureConnectionFailed:
            return .notSent("connection failed (URLError \(urlError.code.rawValue))")
        case .timedOut:
            return .timedOut
        default:
            return .lost("connection lost (URLError \(urlError.code.rawValue))")
        }
    }
}
