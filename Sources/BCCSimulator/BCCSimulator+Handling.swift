import BCC
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Answering one API request: parse, verify, inject faults, apply, log.
extension BCCSimulator {
    func respond(to request: Request) async throws -> Response {
        let start = now()
        let requestId = UUID().uuidString.lowercased()
        let method = request.method.rawValue
        let path = URIEncoding.decode(request.uri.path)
        let query = SignatureVerifier.parseQuery(request.uri.query)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // HTTP/1 Host arrives as the request's authority, not as a header field.
        if headers["host"] == nil, let authority = request.head.authority { headers["host"] = authority }
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let body = Data(buffer.readableBytesView)
        let (call, pathId) = SimulatedCall.classify(method: method, path: path, query: query)

        var ids: [String] = pathId.map { [$0] } ?? []
        var signatureVerified = false
        var hang: TimeInterval = 0
        var result: SimulatedResponse
        var before: [String: InstanceStatus] = [:]

        if let refusal = verifier.verify(method: method, path: path, query: query, headers: headers) {
            result = .error(refusal.status, refusal.code, refusal.message, requestId: requestId)
        } else {
            signatureVerified = true
            switch faults.decide(call, at: start) {
            case .throttle(let retryAfter):
                result = .error(429, "RequestLimitExceeded", "the request rate exceeds the limit", requestId: requestId)
                result.retryAfter = retryAfter
            case .internalError:
                result = .error(500, "InternalError", "we encountered an internal error, please try again", requestId: requestId)
            case .error(let status, let code):
                result = .error(status, code, "injected fault: \(status) \(code)", requestId: requestId)
            case .hang(let seconds):
                hang = seconds
                result = apply(call, pathId: pathId, query: query, body: body, requestId: requestId, ids: &ids, before: &before)
            case .endless:
                result =
                    call == .describeMany
                    ? describeMany(query: query, requestId: requestId, ids: &ids, answered: &before, endless: true)
                    : apply(call, pathId: pathId, query: query, body: body, requestId: requestId, ids: &ids, before: &before)
            case .busy(let seconds):
                if let id = pathId { _ = fleet.beginOtherOperation(id, seconds: seconds) }
                result = apply(call, pathId: pathId, query: query, body: body, requestId: requestId, ids: &ids, before: &before)
            case .none:
                result = apply(call, pathId: pathId, query: query, body: body, requestId: requestId, ids: &ids, before: &before)
            }
        }
        let delay = configuration.latency + hang
        if delay > 0 { try? await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }

        let after = before.isEmpty ? [:] : fleet.statuses(Array(before.keys))
        log.write(
            RequestLog.Entry(
                start: start.timeIntervalSince1970, end: now().timeIntervalSince1970, method: method, path: path,
                call: call.rawValue, ids: ids, status: result.status, code: result.code,
                signatureVerified: signatureVerified,
                before: before.mapValues(\.rawValue), after: after.mapValues(\.rawValue),
                filters: call == .describeMany ? ListFilter.logged(query) : nil))

        var responseHeaders: HTTPFields = [HTTPField.Name("x-bce-request-id")!: requestId]
        if !result.body.isEmpty { responseHeaders[.contentType] = "application/json;charset=UTF-8" }
        if let retryAfter = result.retryAfter { responseHeaders[.retryAfter] = String(retryAfter) }
        return Response(
            status: .init(code: result.status), headers: responseHeaders,
            body: .init(byteBuffer: ByteBuffer(bytes: result.body)))
    }

    /// Applies a verified, un-faulted call to the fleet.
    func apply(
        _ call: SimulatedCall, pathId: String?, query: [(String, String?)], body: Data, requestId: String,
        ids: inout [String], before: inout [String: InstanceStatus]
    ) -> SimulatedResponse {
        switch call {
        case .reboot:
            let id = pathId ?? ""
            struct RebootBody: Decodable { let forceStop: Bool? }
            guard (try? JSONDecoder().decode(RebootBody.self, from: body)) != nil else {
                return .error(400, "MalformedJSON", "the JSON you provided was not well-formed", requestId: requestId)
            }
            before = fleet.statuses([id])
            switch fleet.reboot(id) {
            case .accepted:
                return .empty()
            case .notRunning(let status):
                return .error(
                    409, "Instance.RebootInstanceOperationForbidden",
                    "The instance status is \(status.rawValue), reboot is forbidden", requestId: requestId)
            case .unknown:
                return .error(404, "NoSuchObject", "The instance \(id) does not exist", requestId: requestId)
            }
        case .describe:
            let id = pathId ?? ""
            guard let instance = fleet.instance(id) else {
                return .error(404, "NoSuchObject", "The instance \(id) does not exist", requestId: requestId)
            }
            return .json(InstanceEnvelope(instance: instance))
        case .describeMany:
            return describeMany(query: query, requestId: requestId, ids: &ids, answered: &before)
        case .batchReboot:
            struct BatchBody: Decodable {
                let instanceIds: [String]
                let forceStop: Bool?
            }
            guard let parsed = try? JSONDecoder().decode(BatchBody.self, from: body) else {
                return .error(400, "MalformedJSON", "the JSON you provided was not well-formed", requestId: requestId)
            }
            guard parsed.instanceIds.count <= 100 else {
                return .error(400, "InvalidParameter", "at most 100 instanceIds per call", requestId: requestId)
            }
            ids = parsed.instanceIds
            before = fleet.statuses(ids)
            let failed = ids.filter { fleet.reboot($0) != .accepted }
            return .json(BatchRebootResult(requestId: requestId, failedInstanceIdList: failed))
        case .admin, .unsupported:
            return .error(400, "InvalidHTTPRequest", "this simulator serves reboot, describe and list only", requestId: requestId)
        }
    }
}
