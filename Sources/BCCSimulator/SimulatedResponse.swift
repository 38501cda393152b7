import BCC
import Foundation

/// What the simulator answers before it is turned into an HTTP response.
struct SimulatedResponse {
    var status: Int
    var body: Data
    var code: String?
    var retryAfter: Int?

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> SimulatedResponse {
        SimulatedResponse(status: status, body: (try? JSONEncoder().encode(value)) ?? Data("{}".utf8), code: nil)
    }

    static func empty() -> SimulatedResponse {
        SimulatedResponse(status: 200, body: Data(), code: nil)
    }

    /// BCE's error shape: `{"requestId", "code", "message"}`.
    static func error(_ status: Int, _ code: String, _ message: String, requestId: String) -> SimulatedResponse {
        let body = BCEErrorBody(requestId: requestId, code: code, message: message)
        return SimulatedResponse(status: status, body: (try? JSONEncoder().encode(body)) ?? Data(), code: code)
    }
}
