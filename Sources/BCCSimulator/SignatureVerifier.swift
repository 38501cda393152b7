import BCC
import Foundation

/// Checks a request's bce-auth-v1 `Authorization` header the way BCE does, answering with
/// BCE's error for each way it can be wrong.
public struct SignatureVerifier: Sendable {
    /// A refusal: the HTTP status and BCE code to answer with.
    public struct Refusal: Error, Sendable, Equatable {
        public let status: Int
        public let code: String
        public let message: String
    }

    let secrets: [String: String]
    let now: @Sendable () -> Date

    public init(credentials: [BCECredentials], now: @escaping @Sendable () -> Date = { Date() }) {
        var secrets: [String: String] = [:]
        for c in credentials { secrets[c.accessKeyId] = c.secretAccessKey }
        self.secrets = secrets
        self.now = now
    }

    /// - Parameters:
    ///   - path: the decoded request path;
    ///   - headers: names as received (any case).
    public func verify(method: String, path: String, query: [(String, String?)], headers: [String: String]) -> Refusal? {
        var lower: [String: String] = [:]
        for (k, v) in headers { lower[k.lowercased()] = v }
        guard let auth = lower["authorization"], !auth.isEmpty else {
            return Refusal(status: 401, code: "AccessDenied", message: "the request has no Authorization header")
        }
        let parts = auth.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "bce-auth-v1", let expiration = Int(parts[3]),
            let timestamp = BCESigner.parseCanonicalTime(parts[2])
        else {
            return Refusal(status: 400, code: "InvalidHTTPAuthHeader", message: "the Authorization header is malformed")
        }
        guard let secret = secrets[parts[1]] else {
            return Refusal(status: 403, code: "InvalidAccessKeyId", message: "the access key id does not exist")
        }
        if now().timeIntervalSince(timestamp) > Double(expiration) {
            return Refusal(status: 400, code: "RequestExpired", message: "the request has expired")
        }
        let signed: [String]? = parts[4].isEmpty ? nil : parts[4].split(separator: ";").map(String.init)
        let signer = BCESigner(credentials: BCECredentials(accessKeyId: parts[1], secretAccessKey: secret))
        let expected = signer.authorization(
            method: method, path: path, query: query, headers: lower, timestamp: timestamp,
            expirationSeconds: expiration, signedHeaders: signed)
        // Compare the signature itself: the signed-header list may be written in any order.
        guard expected.split(separator: "/").last == parts[5].split(separator: "/").last, !parts[5].isEmpty else {
            return Refusal(
                status: 400, code: "SignatureDoesNotMatch", message: "the request signature we calculated does not match the signature you provided")
        }
        return nil
    }

    /// Splits a raw query string into decoded pairs; a key without `=` has a nil value.
    public static func parseQuery(_ raw: String?) -> [(String, String?)] {
        guard let raw, !raw.isEmpty else { return [] }
        return raw.split(separator: "&").map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return (URIEncoding.decode(String(pair[..<eq])), URIEncoding.decode(String(pair[pair.index(after: eq)...])))
            }
            return (URIEncoding.decode(String(pair)), nil)
        }
    }
}
