import Foundation

/// The body of `POST /_admin/faults`, checked strictly: unknown keys, wrong types and values out
/// of range are refused with a message naming the key, so a typo never switches on a different
/// fault than the one asked for.
///
/// `{"call": "describeMany", "kind": "error", "status": 500, "for": 10}`,
/// `{"call": "reboot", "kind": "hang", "seconds": 3, "for": 8, "rate": 0.5, "count": 4}`,
/// `{"call": "any", "kind": "throttle", "for": 5, "retryAfter": 2}`,
/// `{"call": "reboot", "kind": "busy", "seconds": 3, "count": 3}`,
/// `{"call": "describeMany", "kind": "endless", "for": 10}`.
struct FaultRequest: Decodable {
    /// Why a body was refused; `message` is what the 400 answer says.
    struct Invalid: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static let keys = ["call", "kind", "status", "code", "seconds", "for", "rate", "count", "retryAfter"]

    var call: String?
    var kind: String?
    var status: Int?
    var code: String?
    var seconds: Double?
    var duration: Double?
    var rate: Double?
    var count: Int?
    var retryAfter: Int?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let unknown = c.allKeys.map(\.stringValue).filter { !Self.keys.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw Invalid(
                message: "unknown key\(unknown.count > 1 ? "s" : "") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); "
                    + "allowed: \(Self.keys.joined(separator: ", "))")
        }
        func value<T: Decodable>(_ name: String, _ type: T.Type, _ what: String) throws -> T? {
            do {
                return try c.decodeIfPresent(T.self, forKey: Key(stringValue: name))
            } catch {
                throw Invalid(message: "\"\(name)\" must be \(what)")
            }
        }
        call = try value("call", String.self, "a string")
        kind = try value("kind", String.self, "a string")
        status = try value("status", Int.self, "an integer HTTP status")
        code = try value("code", String.self, "a string")
        seconds = try value("seconds", Double.self, "a number of seconds")
        duration = try value("for", Double.self, "a number of seconds")
        rate = try value("rate", Double.self, "a number between 0 and 1")
        count = try value("count", Int.self, "an integer")
        retryAfter = try value("retryAfter", Int.self, "an integer number of seconds")
    }

    /// Parses and checks a body; the fault starts at `now`.
    static func parse(_ body: Data, now: Date) throws(Invalid) -> ScheduledFault {
        let request: FaultRequest
        do {
            request = try JSONDecoder().decode(FaultRequest.self, from: body)
        } catch let invalid as Invalid {
            throw invalid
        } catch {
            throw Invalid(
                message: "the body must be a JSON object such as "
                    + #"{"call": "describeMany", "kind": "error", "status": 500, "for": 10}"#)
        }
        return try request.fault(now: now)
    }

    func fault(now: Date) throws(Invalid) -> ScheduledFault {
        let calls = ScheduledFault.Call.allCases.map(\.rawValue).joined(separator: ", ")
        guard let callName = call else { throw Invalid(message: "\"call\" is required: one of \(calls)") }
        guard let target = ScheduledFault.Call(rawValue: callName) else {
            throw Invalid(message: "\"call\" must be one of \(calls), got \"\(callName)\"")
        }
        guard let kindName = kind else { throw Invalid(message: "\"kind\" is required: one of error, hang, throttle, busy, endless") }
        let effect: ScheduledFault.Kind
        switch kindName {
        case "error":
            try refuse(["seconds": seconds != nil, "retryAfter": retryAfter != nil], for: kindName)
            let status = self.status ?? 500
            guard (400...599).contains(status) else { throw Invalid(message: "\"status\" must be between 400 and 599, got \(status)") }
            if let code, code.isEmpty { throw Invalid(message: "\"code\" must not be empty") }
            effect = .error(status: status, code: code ?? ScheduledFault.defaultCode(for: status))
        case "hang":
            try refuse(["status": status != nil, "code": code != nil, "retryAfter": retryAfter != nil], for: kindName)
            guard let seconds else { throw Invalid(message: "\"seconds\" is required for a hang: how long the answer is held") }
            guard seconds > 0, seconds <= 3600 else { throw Invalid(message: "\"seconds\" must be > 0 and at most 3600, got \(seconds)") }
            effect = .hang(seconds: seconds)
        case "busy":
            guard target == .reboot else { throw Invalid(message: "kind \"busy\" applies to \"call\": \"reboot\" only") }
            try refuse(["status": status != nil, "code": code != nil, "retryAfter": retryAfter != nil], for: kindName)
            guard let seconds else { throw Invalid(message: "\"seconds\" is required for busy: how long the instance stays Starting") }
            guard seconds > 0, seconds <= 3600 else { throw Invalid(message: "\"seconds\" must be > 0 and at most 3600, got \(seconds)") }
            effect = .busy(seconds: seconds)
        case "endless":
            guard target == .describeMany else { throw Invalid(message: "kind \"endless\" applies to \"call\": \"describeMany\" only") }
            try refuse(["status": status != nil, "code": code != nil, "seconds": seconds != nil, "retryAfter": retryAfter != nil], for: kindName)
            effect = .endless
        case "throttle":
            try refuse(["status": status != nil, "code": code != nil, "seconds": seconds != nil], for: kindName)
            let retryAfter = self.retryAfter ?? 1
            guard (0...3600).contains(retryAfter) else { throw Invalid(message: "\"retryAfter\" must be between 0 and 3600, got \(retryAfter)") }
            effect = .throttle(retryAfter: retryAfter)
        default:
            throw Invalid(message: "\"kind\" must be one of error, hang, throttle, busy, endless, got \"\(kindName)\"")
        }
        if let duration, !(duration > 0 && duration <= 366 * 86400) {
            throw Invalid(message: "\"for\" must be a number of seconds > 0, got \(duration)")
        }
        if let rate, !(0...1).contains(rate) { throw Invalid(message: "\"rate\" must be between 0 and 1, got \(rate)") }
        if let count, count < 1 { throw Invalid(message: "\"count\" must be at least 1, got \(count)") }
        return ScheduledFault(
            call: target, kind: effect, since: now, until: duration.map { now + $0 }, rate: rate ?? 1, count: count)
    }

    private func refuse(_ present: [String: Bool], for kind: String) throws(Invalid) {
        if let key = present.filter(\.value).keys.sorted().first {
            throw Invalid(message: "\"\(key)\" does not apply to kind \"\(kind)\"")
        }
    }
}
