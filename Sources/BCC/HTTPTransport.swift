import Foundation

/// The narrow seam between the BCC client and the network, so the HTTP stack can be swapped.
public protocol HTTPTransport: Sendable {
    /// Sends `request`, calling `completion` exactly once, at the latest `deadline` seconds later.
    func send(
        _ request: HTTPRequestSpec, deadline: TimeInterval,
        completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void)
}
