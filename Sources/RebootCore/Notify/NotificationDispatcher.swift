import BCC
import Foundation
import Logging

/// Delivers plan events to the `notify` targets (SPEC §4.15) without ever delaying scheduling:
/// `post` only queues. Each target has its own FIFO, sent one event at a time so a receiver
/// sees a plan's events in order; a failed POST (an error, a non-2xx answer, no answer within
/// the timeout) is retried with exponential backoff, and an event still undelivered 10 minutes
/// after it happened is dropped with an error line. Targets are named by their label, never by
/// their URL, which may carry a token. State lives on one serial queue; time comes from an
/// injected clock, so tests run in virtual time.
public final class NotificationDispatcher: @unchecked Sendable {
    /// Outcomes counted in `rebootd_notifications_total`.
    public enum Outcome: String, CaseIterable, Sendable {
        case delivered
        /// One POST failed; the event is retried.
        case failed
        /// Given up after `maxAge`, or the target's queue was full.
        case dropped
    }

    public static let maxAge: TimeInterval = 600
    public static let maxQueued = 1000
    static let firstRetry: TimeInterval = 1
    static let maxRetry: TimeInterval = 60

    let queue = DispatchQueue(label: "rebootd.notify")
    let clock: SchedulerClock
    let transport: HTTPTransport
    let logger: Logger
    let count: @Sendable (String, Outcome) -> Void
    private var requestTimeout: TimeInterval
    private var targets: [TargetQueue] = []

    /// One target's queue and retry state; confined to `queue`.
    final class TargetQueue: @unchecked Sendable {
        let target: NotifyTarget
        var pending: [(notification: PlanNotification, at: Date)] = []
        var sending = false
        var failures = 0
        var lastFailure = ""
        var timer: SchedulerTimer?
        var retryAt: Date?
        init(target: NotifyTarget) { self.target = target }
    }

    public init(
        targets: [NotifyTarget], transport: HTTPTransport, clock: SchedulerClock = SystemClock(),
        requestTimeout: TimeInterval = 10, logger: Logger,
        count: @escaping @Sendable (String, Outcome) -> Void = { _, _ in }
    ) {
        self.transport = transport
        self.clock = clock
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.count = count
        self.targets = targets.map { TargetQueue(target: $0) }
    }

    /// Queues `notification` for every target that wants it. Never blocks.
    public func post(_ notification: PlanNotification) {
        queue.async { [self] in
            let now = clock.now()
            for t in targets where t.target.wants(notification) {
                if t.pending.count >= Self.maxQueued {
                    // The oldest event not on its way: the one being sent stays first.
                    let old = t.pending.remove(at: t.sending ? 1 : 0)
                    drop(t, old.notification, why: "its queue holds \(Self.maxQueued) undelivered events")
                }
                t.pending.append((notification, now))
                kick(t)
            }
        }
    }

    /// A config reload: targets kept (same label, URL and format) keep their queues; events
    /// queued for a target that went away are dropped.
    public func replace(targets new: [NotifyTarget], requestTimeout: TimeInterval) {
        queue.async { [self] in
            self.requestTimeout = requestTimeout
            var next: [TargetQueue] = []
            for target in new {
                if let kept = targets.first(where: { $0.target == target }) { next.append(kept) } else { next.append(TargetQueue(target: target)) }
            }
            for old in targets where !next.contains(where: { $0 === old }) {
                old.timer?.cancel()
                for item in old.pending { drop(old, item.notification, why: "the target was removed from the config") }
                old.pending.removeAll()
            }
            targets = next
        }
    }

    /// At exit: events still queued are lost (they are not journaled); count and say so.
    public func abandon() {
        queue.sync {
            for t in targets where !t.pending.isEmpty {
                for _ in t.pending { count(t.target.label, .dropped) }
                logger.error(
                    "notifications dropped at exit: \(t.pending.count) undelivered",
                    metadata: ["target": "\(t.target.label)", "oldest": "\(t.pending[0].notification.event.rawValue)"])
                t.pending.removeAll()
                t.timer?.cancel()
            }
        }
    }

    /// Events not yet delivered, by target label (for tests and the status line).
    public func backlog() -> [String: Int] {
        queue.sync { Dictionary(targets.map { ($0.target.label, $0.pending.count) }, uniquingKeysWith: +) }
    }

    /// Sends the target's oldest event, unless one is on its way or a retry is waiting.
    func kick(_ t: TargetQueue) {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = clock.now()
        guard !t.sending, let first = t.pending.first else { return }
        if let at = t.retryAt, at > now {
            t.timer?.schedule(at: at)  // a timer that fired early must fire again
            return
        }
        t.retryAt = nil
        if now.timeIntervalSince(first.at) > Self.maxAge {
            t.pending.removeFirst()
            drop(t, first.notification, why: "undelivered for \(DurationParser.format(Self.maxAge)) (\(t.lastFailure))")
            return kick(t)
        }
        t.sending = true
        let request = HTTPRequestSpec(
            method: "POST", url: t.target.url,
            headers: ["Content-Type": "application/json; charset=utf-8", "User-Agent": "rebootd"],
            body: NotificationFormat.body(first.notification, format: t.target.format))
        transport.send(request, deadline: requestTimeout) { [weak self, weak t] result in
            guard let self else { return }
            guard let target = t else { return }
            self.queue.async { self.answered(target, result) }
        }
    }

    func answered(_ t: TargetQueue, _ result: Result<HTTPResponseData, TransportFailure>) {
        t.sending = false
        guard let first = t.pending.first else { return }
        let failure: String
        switch result {
        case .success(let response) where (200..<300).contains(response.status) && Self.refusal(response.body, format: t.target.format) == nil:
            t.pending.removeFirst()
            t.failures = 0
            count(t.target.label, .delivered)
            logger.debug(
                "notification delivered",
                metadata: ["target": "\(t.target.label)", "event": "\(first.notification.event.rawValue)", "plan": "\(first.notification.planId)"])
            return kick(t)
        case .success(let response):
            failure = Self.refusal(response.body, format: t.target.format).map { "HTTP \(response.status), \($0)" } ?? "HTTP \(response.status)"
        case .failure(.timedOut): failure = "no answer within \(DurationParser.format(requestTimeout))"
        case .failure(.notSent(let why)), .failure(.lost(let why)), .failure(.untrusted(let why)): failure = why
        }
        t.failures += 1
        t.lastFailure = failure
        count(t.target.label, .failed)
        let delay = min(Self.maxRetry, Self.firstRetry * pow(2, Double(min(t.failures - 1, 16))))
        logger.log(
            level: t.failures == 1 ? .warning : .debug, "notification not delivered; retrying",
            metadata: [
                "target": "\(t.target.label)", "event": "\(first.notification.event.rawValue)", "plan": "\(first.notification.planId)",
                "failure": "\(failure)", "retryIn": "\(DurationParser.format(delay))",
            ])
        let now = clock.now()
        if now.timeIntervalSince(first.at) + delay > Self.maxAge {
            t.pending.removeFirst()
            drop(t, first.notification, why: "undelivered for \(DurationParser.format(Self.maxAge)) (\(failure))")
            return kick(t)
        }
        t.retryAt = now + delay
        if t.timer == nil {
            t.timer = clock.makeTimer(queue: queue) { [weak self, weak t] in
                guard let self, let t else { return }
                self.kick(t)
            }
        }
        t.timer?.schedule(at: now + delay)
    }

    /// DingTalk and Feishu answer 200 with an error code when they refuse a message (a bad
    /// token, a keyword or signature mismatch, their rate limit): that is not a delivery.
    static func refusal(_ body: Data, format: NotifyTarget.Format) -> String? {
        guard format == .dingtalk || format == .feishu,
            let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        else { return nil }
        let (codeKey, messageKey) =
            format == .dingtalk ? ("errcode", "errmsg") : (json["code"] != nil ? "code" : "StatusCode", json["msg"] != nil ? "msg" : "StatusMessage")
        guard let code = (json[codeKey] as? NSNumber)?.intValue, code != 0 else { return nil }
        return SafeText.escaped("\(codeKey) \(code): \(String(describing: json[messageKey] ?? "").prefix(120))")
    }

    func drop(_ t: TargetQueue, _ n: PlanNotification, why: String) {
        count(t.target.label, .dropped)
        logger.error(
            "notification dropped: \(why)",
            metadata: ["target": "\(t.target.label)", "event": "\(n.event.rawValue)", "plan": "\(n.planId)"])
    }
}
