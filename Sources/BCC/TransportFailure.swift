import Foundation

/// Why no answer arrived.
public enum TransportFailure: Error, Sendable, Equatable {
    /// Nothing was sent (connection refused, DNS): safe to retry.
    case notSent(String)
    /// The deadline passed with no answer.
    case timedOut
    /// The connection broke after the request may have been sent.
    case lost(String)
    /// The server's TLS certificate is not trusted: the handshake failed, nothing was sent.
    case untrusted(String)
}
