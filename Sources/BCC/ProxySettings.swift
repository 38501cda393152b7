import Foundation

/// The HTTP proxy that reaches the API (SPEC §6): the config's `proxy`, otherwise
/// `https_proxy`/`HTTPS_PROXY` (`http_proxy` for an http endpoint) from the environment, with
/// the hosts of `no_proxy`/`NO_PROXY` reached directly. https goes through it with CONNECT.
public struct ProxySettings: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// Hosts reached directly: exact names, domain suffixes (`.internal` or `internal`), `*`.
    public let noProxy: [String]

    /// `http://HOST:PORT` (a trailing `/` allowed); nil for anything else.
    public init?(url text: String, noProxy: [String] = []) {
        guard let url = URL(string: text), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty,
            url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil
        else { return nil }
        self.host = host
        port = url.port ?? 80
        self.noProxy = noProxy
    }

    /// The proxy the environment names for endpoints of this scheme, if any.
    public static func fromEnvironment(_ environment: [String: String], https: Bool) -> ProxySettings? {
        let names = https ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard let text = names.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        let noProxy = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        return ProxySettings(url: text, noProxy: noProxy)
    }

    /// Whether a request to `host` goes through the proxy.
    public func applies(toHost target: String) -> Bool {
        let host = target.lowercased()
        for entry in noProxy {
            if entry == "*" { return false }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == domain || host.hasSuffix("." + domain) { return false }
        }
        return true
    }

    public var description: String { "http://\(host):\(port)" + (noProxy.isEmpty ? "" : " (not for \(noProxy.joined(separator: ",")))") }
}
