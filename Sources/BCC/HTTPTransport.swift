import Foundation

/// A request as the client will send it: the signer has already seen exactly these bytes.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?

    public init(method: String, url: URL, headers: [String: String], body: Data?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An answer: status, headers with lower-cased names, body.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why no answer arrived.
public enum TransportFailure: Error, Sendable, Equatable {
    /// Nothing was sent (connection refused, DNS): safe to retry.
    case notSent(String)
    /// The deadline passed with no answer.
    case timedOut
    /// The connection broke after the request may have been sent.
    case lost(String)
}

/// The narrow seam between the BCC client and the network, so the HTTP stack can be swapped.
public protocol HTTPTransport: Sendable {
    /// Sends `request`, calling `completion` exactly once, at the latest `deadline` seconds later.
    func send(
        _ request: HTTPRequestSpec, deadline: TimeInterval,
        completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void)
}
