import BCC
import Foundation

/// An `HTTPTransport` that answers at once from a script, for tests of the real client (and of
/// a scheduler on it) in virtual time: no socket, no clock. It keeps every request it saw.
public final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [HTTPRequestSpec] = []
    private let answer: @Sendable (HTTPRequestSpec) -> HTTPResponseData

    public init(answer: @escaping @Sendable (HTTPRequestSpec) -> HTTPResponseData) { self.answer = answer }

    public var requests: [HTTPRequestSpec] { lock.withLock { seen } }

    public func send(
        _ request: HTTPRequestSpec, deadline: TimeInterval,
        completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
    ) {
        lock.withLock { seen.append(request) }
        completion(.success(answer(request)))
    }

    /// A listing that never ends: every page is truncated and names a next page (a new marker
    /// each time, or always `repeating` when given), with `instances` on each.
    public static func endlessListing(_ instances: [Instance], repeating: String? = nil) -> ScriptedTransport {
        let counter = Counter()
        return ScriptedTransport { request in
            guard request.method == "GET" else { return HTTPResponseData(status: 200, headers: ["x-bce-request-id": "r"], body: Data()) }
            let page = InstanceListPage(
                instances: instances, marker: nil, isTruncated: true,
                nextMarker: repeating ?? "m-\(counter.next())", maxKeys: 100)
            return HTTPResponseData(status: 200, headers: [:], body: (try? JSONEncoder().encode(page)) ?? Data())
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }
}
