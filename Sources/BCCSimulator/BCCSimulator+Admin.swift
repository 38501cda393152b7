import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin API for faults switched at run time (no signature, not in the request log):
/// `POST /_admin/faults` adds one, `GET /_admin/faults` lists the active ones,
/// `DELETE /_admin/faults` clears them all. Times come from the simulator's `now`.
extension BCCSimulator {
    /// One fault as the admin API shows it.
    struct FaultView: Encodable {
        let id: Int
        let call: String
        let kind: String
        let status: Int?
        let code: String?
        let seconds: Double?
        let retryAfter: Int?
        let rate: Double
        /// How many more requests it may hit; null: no limit.
        let count: Int?
        let applied: Int
        /// Unix times; `until` null: until cleared.
        let since: Double
        let until: Double?
        let remainingSeconds: Double?

        init(_ f: ScheduledFault, now: Date) {
            id = f.id
            call = f.call.rawValue
            kind = f.kind.name
            switch f.kind {
            case .error(let s, let c): (status, code, seconds, retryAfter) = (s, c, nil, nil)
            case .hang(let s): (status, code, seconds, retryAfter) = (nil, nil, s, nil)
            case .throttle(let r): (status, code, seconds, retryAfter) = (429, "RequestLimitExceeded", nil, r)
            case .busy(let s): (status, code, seconds, retryAfter) = (409, "Instance.RebootInstanceOperationForbidden", s, nil)
            case .endless: (status, code, seconds, retryAfter) = (nil, nil, nil, nil)
            }
            rate = f.rate
            count = f.remaining
            applied = f.applied
            since = f.since.timeIntervalSince1970
            until = f.until?.timeIntervalSince1970
            remainingSeconds = f.until.map { max(0, $0.timeIntervalSince(now)) }
        }
    }

    func addFault(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let now = self.now()
        do {
            let fault = faults.schedule.add(try FaultRequest.parse(Data(buffer.readableBytesView), now: now))
            return Self.adminJSON(FaultView(fault, now: now), status: .created)
        } catch {
            struct Refusal: Encodable { let error: String }
            return Self.adminJSON(Refusal(error: error.message), status: .badRequest)
        }
    }

    func listFaults() -> Response {
        struct List: Encodable { let faults: [FaultView] }
        let now = self.now()
        return Self.adminJSON(List(faults: faults.schedule.active(at: now).map { FaultView($0, now: now) }))
    }

    func clearFaults() -> Response {
        struct Cleared: Encodable { let cleared: Int }
        return Self.adminJSON(Cleared(cleared: faults.schedule.clear(at: now())))
    }

    static func adminJSON<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        data.append(0x0A)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
