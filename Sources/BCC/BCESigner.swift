import Crypto
import Foundation

/// bce-auth-v1 request signing, as Baidu's official SDK signer computes it.
///
/// `authorization = bce-auth-v1/{ak}/{timestamp}/{expiration}/{signedHeaders}/{signature}` where
/// `signingKey = HMAC-SHA256-hex(sk, prefix)` and `signature = HMAC-SHA256-hex(signingKey,
/// method \n canonicalURI \n canonicalQuery \n canonicalHeaders)`.
public struct BCESigner: Sendable {
    /// The headers signed when no explicit list is given (plus every `x-bce-*` header).
    public static let defaultSignedHeaders: Set<String> = ["host", "content-length", "content-type", "content-md5"]
    public static let defaultExpirationSeconds = 1800

    public let credentials: BCECredentials

    public init(credentials: BCECredentials) {
        self.credentials = credentials
    }

    /// The `Authorization` header value for one request.
    /// - Parameters:
    ///   - query: pairs in any order; a `nil` value is a key with no value (`?reboot`).
    ///   - headers: the headers exactly as sent (names in any case).
    ///   - signedHeaders: the explicit list to sign, or `nil` for the default set (the list is
    ///     then left empty in the result, as the SDK does).
    public func authorization(
        method: String, path: String, query: [(String, String?)], headers: [String: String],
        timestamp: Date, expirationSeconds: Int = BCESigner.defaultExpirationSeconds,
        signedHeaders: [String]? = nil
    ) -> String {
        let prefix = "bce-auth-v1/\(credentials.accessKeyId)/\(Self.canonicalTime(timestamp))/\(expirationSeconds)"
        let signingKey = Self.hmacHex(key: Array(credentials.secretAccessKey.utf8), message: prefix)
        let explicit = signedHeaders.map { $0.map { $0.lowercased() }.sorted() }
        let canonical = Self.canonicalRequest(
            method: method, path: path, query: query, headers: headers, signedHeaders: explicit)
        let signature = Self.hmacHex(key: Array(signingKey.utf8), message: canonical)
        return "\(prefix)/\((explicit ?? []).joined(separator: ";"))/\(signature)"
    }

    /// The string that is signed: method, canonical URI, canonical query and canonical headers.
    public static func canonicalRequest(
        method: String, path: String, query: [(String, String?)], headers: [String: String],
        signedHeaders: [String]?
    ) -> String {
        let uri = URIEncoding.encode(path.isEmpty ? "/" : path, keepSlash: true)
        let queryString =
            query
            .filter { $0.0.lowercased() != "authorization" }
            .map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1 ?? ""))" }
            .sorted()
            .joined(separator: "&")
        let wanted: (String) -> Bool
        if let list = signedHeaders {
            let set = Set(list)
            wanted = { set.contains($0) }
        } else {
            wanted = { defaultSignedHeaders.contains($0) || $0.hasPrefix("x-bce-") }
        }
        var lines: [String] = []
        for (name, value) in headers {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard wanted(key), !trimmed.isEmpty else { continue }
            lines.append("\(URIEncoding.encode(key)):\(URIEncoding.encode(trimmed))")
        }
        lines.sort()
        return [method.uppercased(), uri, queryString, lines.joined(separator: "\n")].joined(separator: "\n")
    }

    /// `2015-08-11T04:17:29Z`: UTC, whole seconds.
    public static func canonicalTime(_ date: Date) -> String {
        FastFormat.iso8601(Int(date.timeIntervalSince1970.rounded(.down)))
    }

    /// Parses a canonical time back; `nil` when it is not one.
    public static func parseCanonicalTime(_ string: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: string)
    }

    static func hmacHex(key: [UInt8], message: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key))
        return FastFormat.hex(mac)
    }
}
