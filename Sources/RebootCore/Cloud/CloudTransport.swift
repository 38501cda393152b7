import BCC
import Foundation

/// The HTTP transport of BCC calls, as the config says (SPEC §6 `httpClient`, `caFile`,
/// `proxy`): the daemon's, and `rebootctl preview`'s, built the same way.
public enum CloudTransport {
    /// The transport, and the proxy it goes through (nil: direct, or libcurl's own from the
    /// environment). Throws when `caFile` cannot be used.
    public static func make(config: RebootdConfig, environment: [String: String]) throws -> (transport: HTTPTransport, proxy: ProxySettings?) {
        let https = config.endpoint.lowercased().hasPrefix("https:")
        let proxy = config.proxy.flatMap { ProxySettings(url: $0) } ?? ProxySettings.fromEnvironment(environment, https: https)
        switch config.httpClient {
        case .nio:
            return (try AsyncHTTPClientTransport(maxConnections: config.maxConcurrentRequests, caFile: config.caFile, proxy: proxy), proxy)
        case .curl:
            // libcurl follows the environment's proxy variables itself (the config refuses `proxy`).
            return (URLSessionTransport(maxConnections: config.maxConcurrentRequests), proxy)
        }
    }

    /// The client of `region`'s endpoint (nil or unknown: the default one).
    public static func client(config: RebootdConfig, region: String?, credentials: BCECredentials, transport: HTTPTransport) throws -> BCCClient {
        let url = region.flatMap { config.regions[$0] } ?? config.endpoint
        return BCCClient(endpoint: try BCCEndpoint(url), credentials: credentials, transport: transport, requestTimeout: config.requestTimeout)
    }
}
