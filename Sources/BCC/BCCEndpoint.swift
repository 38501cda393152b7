import Foundation

/// A validated BCC endpoint: `https://`, or `http://` only to a loopback host (the simulator).
public struct BCCEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Why an endpoint string was refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let endpoint: String
        public let reason: String
        public var description: String { "invalid endpoint \"\(endpoint)\": \(reason)" }
    }

    public let url: URL
    public let scheme: String
    public let host: String
    public let port: Int?
    /// The `Host` header exactly as libcurl sends it: with `:port` unless it is the default.
    public let hostHeader: String

    public init(_ string: String) throws {
        guard let components = URLComponents(string: string),
            let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else { throw Invalid(endpoint: string, reason: "expected a URL like https://bcc.bj.baidubce.com") }
        guard scheme == "https" || scheme == "http" else {
            throw Invalid(endpoint: string, reason: "scheme must be https")
        }
        if scheme == "http" && !Self.isLoopback(host) {
            throw Invalid(endpoint: string, reason: "http:// is only allowed to a loopback address; use https://")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil else {
            throw Invalid(endpoint: string, reason: "an endpoint has no path or query")
        }
        var base = URLComponents()
        base.scheme = scheme
        base.host = host
        base.port = components.port
        guard let url = base.url else { throw Invalid(endpoint: string, reason: "not a URL") }
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = components.port
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = components.port, port != defaultPort {
            let h = host.contains(":") ? "[\(host)]" : host
            hostHeader = "\(h):\(port)"
        } else {
            hostHeader = host.contains(":") ? "[\(host)]" : host
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if h == "localhost" || h == "::1" { return true }
        let parts = h.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { url.absoluteString }
}
