import Foundation

/// Every failure of a BCC call, as a value the caller can switch on.
///
/// It carries what BCE answered (`httpStatus`, `code`, `message`, `requestId`) and classifies
/// itself into the handful of reactions the scheduler has. Local failures (no answer at all) have
/// `httpStatus == nil` and a code of their own (`ConnectionFailed`, `Timeout`, ...).
/// Its text never holds a secret: only what the server sent and the request id.
public struct BCCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the caller should do about the error.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// 409: the instance is not in a state that allows the call (not Running).
        case conflict
        /// 429, or a code naming a limit or throttling: back off and slow down.
        case throttled
        /// 5xx, connection errors, timeouts: retry with backoff.
        case transient
        /// Another 4xx about one instance (404 and the like): that instance fails.
        case instanceFatal
        /// Bad signature, unknown access key, expired request, access denied: nothing will work.
        case accountFatal
    }

    public let httpStatus: Int?
    public let code: String
    public let message: String
    public let requestId: String?
    public let kind: Kind
    /// The request may have reached the server and taken effect (a timeout or a lost connection
    /// after sending). Only meaningful for calls that change something.
    public let inDoubt: Bool
    /// Seconds from a `Retry-After` header, when the server sent one.
    public let retryAfter: TimeInterval?

    public init(
        httpStatus: Int?, code: String, message: String, requestId: String? = nil,
        kind: Kind? = nil, inDoubt: Bool = false, retryAfter: TimeInterval? = nil
    ) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.requestId = requestId
        self.kind = kind ?? Self.classify(httpStatus: httpStatus, code: code)
        self.inDoubt = inDoubt
        self.retryAfter = retryAfter
    }

    /// Codes that concern the whole account or key rather than one instance.
    public static let accountCodes: Set<String> = [
        "SignatureDoesNotMatch", "InvalidAccessKeyId", "RequestExpired", "AccessDenied",
        "InvalidAuthorization", "InvalidHTTPAuthHeader", "AccessKeyDisabled", "AccountFrozen",
    ]

    /// Decides by HTTP status first; the code only refines it (an auth code on a 400, a
    /// throttling code on any 4xx).
    public static func classify(httpStatus: Int?, code: String) -> Kind {
        guard let status = httpStatus else { return .transient }
        let lower = code.lowercased()
        let namesLimit =
            lower.contains("throttl") || lower.contains("limitexceeded")
            || lower.contains("ratelimit") || lower.contains("toomanyrequests") || lower.contains("flowlimit")
        switch status {
        case 409: return .conflict
        case 429: return .throttled
        case 500...599: return .transient
        case 401, 403: return .accountFatal
        case 400...499:
            if accountCodes.contains(code) { return .accountFatal }
            if namesLimit { return .throttled }
            return .instanceFatal
        default: return .transient
        }
    }

    public var description: String {
        var text = "BCC error \(code)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        text += ": \(message)"
        if let requestId { text += " [requestId \(requestId)]" }
        if inDoubt { text += " [in doubt]" }
        return text
    }
}

extension BCCError {
    /// A connection that failed before anything was sent: safe to retry.
    public static func connectionFailed(_ detail: String) -> BCCError {
        BCCError(httpStatus: nil, code: "ConnectionFailed", message: detail, kind: .transient)
    }

    /// The TLS handshake failed because the server's certificate is not trusted: nothing was
    /// sent. Account-level (SPEC §4.6): every call to that endpoint would fail the same way, so
    /// the plans pause, once, instead of failing instance by instance.
    public static func untrustedServer(endpoint: String, _ detail: String) -> BCCError {
        BCCError(
            httpStatus: nil, code: "TLSUntrusted",
            message: "the TLS certificate of \(endpoint) is not trusted (\(detail)); add its CA with caFile, or check the endpoint and any proxy",
            kind: .accountFatal)
    }

    /// No answer within the call's deadline. For a call that changes something the outcome is
    /// unknown, so it is in doubt.
    public static func timeout(seconds: TimeInterval, mutating: Bool) -> BCCError {
        BCCError(
            httpStatus: nil, code: "Timeout", message: "no answer within \(seconds)s",
            kind: .transient, inDoubt: mutating)
    }

    /// The connection broke after the request may have been sent.
    public static func connectionLost(_ detail: String, mutating: Bool) -> BCCError {
        BCCError(httpStatus: nil, code: "ConnectionLost", message: detail, kind: .transient, inDoubt: mutating)
    }

    /// A listing that does not end (SPEC §4.2): past the page cap, or its `nextMarker` repeats.
    /// The poll failed; it is tried again at the next round.
    public static func listingNeverEnds(_ detail: String) -> BCCError {
        BCCError(httpStatus: nil, code: "ListingNeverEnds", message: "the instance listing does not end: \(detail)", kind: .transient)
    }

    /// An answer that is not what the API documents.
    public static func invalidResponse(_ detail: String, httpStatus: Int?, requestId: String?) -> BCCError {
        BCCError(httpStatus: httpStatus, code: "InvalidResponse", message: detail, requestId: requestId, kind: .transient)
    }
}

extension BCCError {
    /// A call that was never handed to the transport: its sender's send deadline had passed
    /// (SPEC §4.16). Certainly not applied.
    public static let notSent = BCCError(
        httpStatus: nil, code: "NotSent", message: "not sent: the lease's send deadline passed", kind: .transient, inDoubt: false)
}
