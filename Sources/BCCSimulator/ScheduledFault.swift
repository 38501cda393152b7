import Foundation

/// One fault switched on at run time through `POST /_admin/faults`: which kind of call it hits,
/// what it does to it (an error answer, a hang after applying the call, or throttling), until
/// when, for what fraction of the matching requests, and for how many of them at most.
public struct ScheduledFault: Sendable, Equatable {
    /// The kind of call a fault applies to.
    public enum Call: String, Sendable, CaseIterable {
        case reboot, describe, describeMany, batchReboot, any

        /// Whether a request of `call` is hit by a fault aimed at `self`.
        func matches(_ call: SimulatedCall) -> Bool {
            switch self {
            case .any: return call != .admin && call != .unsupported
            case .reboot: return call == .reboot
            case .describe: return call == .describe
            case .describeMany: return call == .describeMany
            case .batchReboot: return call == .batchReboot
            }
        }
    }

    /// What the fault does to a request it hits.
    public enum Kind: Sendable, Equatable {
        /// Answer with this HTTP status and BCE error code; the call is not applied.
        case error(status: Int, code: String)
        /// Apply the call to the fleet, then hold the answer this many seconds (a lost answer).
        case hang(seconds: TimeInterval)
        /// Answer 429 `RequestLimitExceeded` with `Retry-After`; the call is not applied.
        case throttle(retryAfter: Int)
        /// A reboot finds its instance busy: another operation took it into `Starting` for
        /// this many seconds just before (after the caller last read it Running), so the
        /// answer is the 409 BCE gives for an instance that is not Running.
        case busy(seconds: TimeInterval)
        /// A listing (describe-many) that never ends: every page says it is truncated, with a
        /// `nextMarker` never seen before, as a broken or hostile endpoint would.
        case endless

        public var name: String {
            switch self {
            case .error: return "error"
            case .hang: return "hang"
            case .throttle: return "throttle"
            case .busy: return "busy"
            case .endless: return "endless"
            }
        }
    }

    /// Assigned by the schedule, in the order faults were added.
    public var id: Int
    public var call: Call
    public var kind: Kind
    /// When it was switched on.
    public var since: Date
    /// When it stops (nil: until cleared).
    public var until: Date?
    /// The fraction of matching requests it hits, 0...1.
    public var rate: Double
    /// How many more requests it may hit (nil: no limit).
    public var remaining: Int?
    /// How many requests it has hit so far.
    public var applied = 0

    public init(id: Int = 0, call: Call, kind: Kind, since: Date, until: Date? = nil, rate: Double = 1, count: Int? = nil) {
        self.id = id
        self.call = call
        self.kind = kind
        self.since = since
        self.until = until
        self.rate = rate
        remaining = count
    }

    /// Whether the fault still applies at `now`: not past `until`, and not used up.
    public func isActive(at now: Date) -> Bool {
        if let until, now >= until { return false }
        if let remaining, remaining <= 0 { return false }
        return true
    }

    /// The BCE error code used when a body gives a status without a code.
    static func defaultCode(for status: Int) -> String {
        switch status {
        case 400: return "InvalidParameter"
        case 401, 403: return "AccessDenied"
        case 404: return "NoSuchObject"
        case 409: return "Instance.RebootInstanceOperationForbidden"
        case 429: return "RequestLimitExceeded"
        case 500: return "InternalError"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "SimulatedFault"
        }
    }
}
