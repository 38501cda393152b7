import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `HTTPTransport` on AsyncHTTPClient (SwiftNIO): the daemon's transport.
///
/// URLSession on Linux was measured at about 1.2 ms of CPU per call in the daemon and grew
/// RSS by about 0.7 KB per request (127 MB peak over 100,000 reboots), which a long-running
/// daemon cannot afford. AsyncHTTPClient enforces a real per-call deadline (`NIODeadline`),
/// so no sweeper is needed.
///
/// The clients run on one event-loop thread of their own, not on NIO's singleton group (one
/// thread per core): with connections spread over two loops, every call crossed threads and
/// woke both (issue 10: 5.5 wakeups per call on the rated case). One loop serves thousands of
/// calls a second, far above any `rateLimit`.
public final class AsyncHTTPClientTransport: HTTPTransport, @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let client: HTTPClient
    /// The client through `proxy`, for the hosts it applies to.
    private let proxied: HTTPClient?
    private let proxy: ProxySettings?

    /// `caFile`: PEM certificates trusted besides the system roots (SPEC §6), for an API reached
    /// through a TLS-inspecting proxy or a private endpoint.
    public init(maxConnections: Int = 8, caFile: String? = nil, proxy: ProxySettings? = nil) throws {
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
        }
        configuration.tlsConfiguration = tls
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(10), read: nil)
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        self.proxy = proxy
        if let proxy {
            configuration.proxy = .server(host: proxy.host, port: proxy.port)
            proxied = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        } else {
            proxied = nil
        }
    }

    /// Checks that `path` holds at least one PEM certificate; the count, or a reason to show.
    public static func loadCAFile(_ path: String) -> Result<Int, TransportFailure> {
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(path)
            return certificates.isEmpty ? .failure(.notSent("holds no PEM certificate")) : .success(certificates.count)
        } catch {
            return .failure(
                .notSent(FileManager.default.isReadableFile(atPath: path) ? "is not a PEM certificate file (\(error))" : "cannot be read"))
        }
    }

    deinit { shutdown() }

    /// Shuts the clients and their event loop down (on exit). Idempotent.
    public func shutdown() {
        try? client.syncShutdown()
        try? proxied?.syncShutdown()
        try? group.syncShutdownGracefully()
    }

    public func send(
        _ request: HTTPRequestSpec, deadline: TimeInterval,
        completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
    ) {
        let built: HTTPClient.Request
        do {
            var headers = HTTPHeaders()
            for (name, value) in request.headers { headers.add(name: name, value: value) }
            built = try HTTPClient.Request(
                url: request.url.absoluteString, method: HTTPMethod(rawValue: request.method), headers: headers,
                body: request.body.map { .byteBuffer(ByteBuffer(bytes: $0)) })
        } catch {
            completion(.failure(.notSent("cannot build the request: \(type(of: error))")))
            return
        }
        let nanos = Int64(max(0.001, deadline) * 1_000_000_000)
        let via = proxy.map { $0.applies(toHost: request.url.host ?? "") } == true ? proxied ?? client : client
        // The call is handed to the loop as one task and started there: the pool's state then
        // changes on its own thread only, so a group of calls sent together costs the loop one
        // wake instead of a lock hand-off per call (issue 10).
        let loop = group.next()
        let deadline = NIODeadline.now() + .nanoseconds(nanos)
        guard loop.inEventLoop else {
            loop.execute { Self.start(built, via: via, on: loop, deadline: deadline, completion: completion) }
            return
        }
        Self.start(built, via: via, on: loop, deadline: deadline, completion: completion)
    }

    private static func start(
        _ built: HTTPClient.Request, via: HTTPClient, on loop: EventLoop, deadline: NIODeadline,
        completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
    ) {
        via.execute(request: built, eventLoop: .delegate(on: loop), deadline: deadline).whenComplete { result in
            switch result {
            case .success(let response):
                var headers: [String: String] = [:]
                for (name, value) in response.headers { headers[name.lowercased()] = value }
                let body = response.body.map { Data($0.readableBytesView) } ?? Data()
                completion(.success(HTTPResponseData(status: Int(response.status.code), headers: headers, body: body)))
            case .failure(let error):
                completion(.failure(Self.classify(error)))
            }
        }
    }

    /// Connection failures before anything was sent are safe to retry; a deadline or a broken
    /// connection afterwards may have reached the server.
    static func classify(_ error: Error) -> TransportFailure {
        // Only a certificate that does not verify, or does not name the host, is untrusted (an
        // account-level error that pauses the plans). Any other handshake failure (a reset, an
        // EOF mid-handshake) is a connection that failed before anything was sent.
        if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            return .untrusted("the certificate does not name the host")
        }
        if let e = error as? NIOSSLError {
            if case .handshakeFailed(let inner) = e {
                let text = String(describing: inner)
                if text.contains("CERTIFICATE_VERIFY_FAILED") { return .untrusted("the certificate does not verify") }
                return .notSent("TLS handshake failed (\(text.prefix(200)))")
            }
            if e == .uncleanShutdown || e == .readInInvalidTLSState { return .lost("TLS connection lost (\(e))") }
            return .notSent("TLS failed (\(e))")
        }
        if let e = error as? HTTPClientError {
            if [.deadlineExceeded, .readTimeout, .writeTimeout].contains(e) { return .timedOut }
            // The proxy refused or timed out before forwarding anything: nothing reached the API.
            if [
                .connectTimeout, .socksHandshakeTimeout, .tlsHandshakeTimeout, .invalidURL, .emptyHost, .emptyScheme,
                .invalidProxyResponse, .proxyAuthenticationRequired, .httpProxyHandshakeTimeout,
            ].contains(e) {
                return .notSent("connection failed (\(e))")
            }
            return .lost("connection lost (\(e))")
        }
        // NIOPosix's NIOConnectionError: every connection attempt failed, nothing was sent.
        if String(describing: type(of: error)) == "NIOConnectionError" { return .notSent("connection failed") }
        if let io = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(io.errnoCode) {
            return .notSent("connection refused")
        }
        return .lost("connection lost (\(type(of: error)))")
    }
}
