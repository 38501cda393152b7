import BCC
import Foundation
import Logging
import RebootTesting
import XCTest

@testable import RebootCore

/// Delivery of plan events (SPEC §4.15) in virtual time, through a scripted transport.
final class NotificationDispatcherTests: XCTestCase {
    /// Answers each POST with what `answer` says; records what was sent, and when.
    final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
        let lock = NSLock()
        let clock: ManualClock
        var answer: @Sendable (Int) -> Result<HTTPResponseData, TransportFailure> = { _ in
            .success(HTTPResponseData(status: 200, headers: [:], body: Data()))
        }
        private(set) var sent: [(at: Date, url: URL, body: Data)] = []
        init(clock: ManualClock) { self.clock = clock }

        func send(
            _ request: HTTPRequestSpec, deadline: TimeInterval, completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
        ) {
            let n = lock.withLock { () -> Int in
                sent.append((clock.now(), request.url, request.body ?? Data()))
                return sent.count
            }
            completion(answer(n))
        }
        var count: Int { lock.withLock { sent.count } }
        func json(_ i: Int) -> [String: Any] { lock.withLock { (try? JSONSerialization.jsonObject(with: sent[i].body)) as? [String: Any] ?? [:] } }
    }

    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var all: [String] = []
        func add(_ s: String) { lock.withLock { all.append(s) } }
        var text: String { lock.withLock { all.joined() } }
    }

    final class Counts: @unchecked Sendable {
        let lock = NSLock()
        var all: [String: Int] = [:]
        func add(_ label: String, _ outcome: NotificationDispatcher.Outcome) {
            lock.withLock { all["\(label)/\(outcome.rawValue)", default: 0] += 1 }
        }
        subscript(_ key: String) -> Int { lock.withLock { all[key] ?? 0 } }
    }

    let clock = ManualClock()
    lazy var transport = ScriptedTransport(clock: clock)
    let lines = Lines()
    let counts = Counts()
    static let secretURL = URL(string: "https://hooks.example/rebootd?token=NOTIFY-s3cr3t-42")!

    func dispatcher(_ targets: [NotifyTarget]) -> NotificationDispatcher {
        let lines = self.lines
        let counts = self.counts
        var handler = JournaldLogHandler(label: "t", journald: false) { lines.add($0) }
        handler.logLevel = .debug
        return NotificationDispatcher(
            targets: targets, transport: transport, clock: clock, requestTimeout: 5,
            logger: Logger(label: "t") { _ in handler }, count: { counts.add($0, $1) })
    }

    static func event(_ e: PlanNotification.Event, _ plan: String = "20261128T010000Z-web", cause: PlanNotification.Cause? = nil) -> PlanNotification
    {
        PlanNotification(
            event: e, planId: plan, planName: "web", state: "running", batch: 1, batchCount: 3,
            counts: ["rebooted": 2, "pending": 4], instances: 6, cause: cause, time: "2026-11-28T01:00:00.000Z")
    }

    /// Lets every queued hop run: an answer queues the next send, which queues its answer.
    func settle(_ d: NotificationDispatcher) { for _ in 0..<20 { _ = d.backlog() } }

    /// Virtual time in small steps, letting the dispatcher answer at each.
    func run(_ d: NotificationDispatcher, for seconds: TimeInterval, step: TimeInterval = 0.05) {
        var elapsed: TimeInterval = 0
        while elapsed < seconds - 1e-9 {
            clock.advance(by: step)
            settle(d)
            elapsed += step
        }
    }

    func testEventsArriveInOrderFilteredPerTarget() throws {
        let d = dispatcher([
            NotifyTarget(url: Self.secretURL, format: .json, label: "all"),
            NotifyTarget(url: URL(string: "https://hooks.example/b")!, format: .slack, events: ["plan-finished", "account-paused"], label: "chat"),
        ])
        for e in [PlanNotification.Event.planAccepted, .planStarted, .batchFinished, .planFinished] { d.post(Self.event(e)) }
        d.post(Self.event(.planPaused, cause: .byOperator))
        d.post(Self.event(.planPaused, cause: .account))
        settle(d)
        let toAll = transport.sent.filter { $0.url == Self.secretURL }.map { String(decoding: $0.body, as: UTF8.self) }
        XCTAssertEqual(toAll.count, 6)
        let events = toAll.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }.map { $0?["event"] as? String }
        XCTAssertEqual(events, ["plan-accepted", "plan-started", "batch-finished", "plan-finished", "plan-paused", "plan-paused"])
        let toChat = transport.sent.filter { $0.url != Self.secretURL }
        XCTAssertEqual(toChat.count, 2, "only plan-finished and the account's pause")
        XCTAssertEqual(counts["all/delivered"], 6)
        XCTAssertEqual(counts["chat/delivered"], 2)
    }

    func testAFailingReceiverGetsRetriesWithBackoffAndOrderHolds() throws {
        transport.answer = { n in
            n <= 3
                ? .success(HTTPResponseData(status: 500, headers: [:], body: Data()))
                : .success(HTTPResponseData(status: 204, headers: [:], body: Data()))
        }
        let d = dispatcher([NotifyTarget(url: Self.secretURL, format: .json, label: "hook")])
        d.post(Self.event(.planStarted))
        d.post(Self.event(.batchFinished))
        settle(d)
        XCTAssertEqual(transport.count, 1)
        run(d, for: 0.9)
        XCTAssertEqual(transport.count, 1, "the first retry waits 1 s")
        run(d, for: 0.2)
        XCTAssertEqual(transport.count, 2)
        run(d, for: 10)
        XCTAssertEqual(transport.count, 5)
        let times = transport.sent.map(\.at)
        XCTAssertEqual(times[2].timeIntervalSince(times[1]), 2, accuracy: 0.06, "then 2 s")
        XCTAssertEqual(times[3].timeIntervalSince(times[2]), 4, accuracy: 0.06, "then 4 s")
        XCTAssertEqual(
            (0..<5).map { transport.json($0)["event"] as? String },
            ["plan-started", "plan-started", "plan-started", "plan-started", "batch-finished"], "the next event waits its turn")
        XCTAssertEqual(counts["hook/failed"], 3)
        XCTAssertEqual(counts["hook/delivered"], 2)
        XCTAssertFalse(lines.text.contains("NOTIFY-s3cr3t-42"), "the URL never reaches a log line")
    }

    func testAnEventUndeliveredForTenMinutesIsDroppedWithAnErrorLine() throws {
        transport.answer = { _ in .failure(.timedOut) }
        let d = dispatcher([NotifyTarget(url: Self.secretURL, format: .dingtalk, label: "ding")])
        d.post(Self.event(.planHalted))
        settle(d)
        run(d, for: 12 * 60, step: 0.5)
        XCTAssertEqual(counts["ding/dropped"], 1)
        XCTAssertEqual(d.backlog()["ding"], 0)
        let attempts = transport.count
        XCTAssertGreaterThan(attempts, 8)
        XCTAssertLessThan(attempts, 20, "backoff, capped at 60 s, over 10 minutes")
        XCTAssertLessThanOrEqual(try XCTUnwrap(transport.sent.last?.at).timeIntervalSince(transport.sent[0].at), 600)
        XCTAssertTrue(lines.all.contains { $0.contains("notification dropped: undelivered for 10m") && $0.contains("ding") }, lines.text)
        XCTAssertFalse(lines.text.contains("NOTIFY-s3cr3t-42"))
        transport.answer = { _ in .success(HTTPResponseData(status: 200, headers: [:], body: Data())) }
        d.post(Self.event(.planFinished))
        settle(d)
        XCTAssertEqual(counts["ding/delivered"], 1, "the target works again for what comes next")
    }

    /// Review finding: a reason quoting a command's output went to Slack as is, and Slack reads
    /// `<!channel>` as a mention of everyone.
    func testSlackTextCannotMentionOrLink() throws {
        var n = Self.event(.gateBlocked)
        n.reason = "gate quorum: exit 1: <!channel> see <https://evil.example|here> & more"
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: NotificationFormat.body(n, format: .slack)) as? [String: String])
        let text = try XCTUnwrap(body["text"])
        XCTAssertFalse(text.contains("<"), text)
        XCTAssertTrue(text.contains("&lt;!channel&gt; see &lt;https://evil.example|here&gt; &amp; more"), text)
    }

    func testEachFormatHasTheShapeItsReceiverExpects() throws {
        let n = Self.event(.planFinished)
        func obj(_ f: NotifyTarget.Format) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: NotificationFormat.body(n, format: f))) as? [String: Any] ?? [:]
        }
        let json = obj(.json)
        XCTAssertEqual(json["version"] as? Int, 1)
        XCTAssertEqual(json["event"] as? String, "plan-finished")
        XCTAssertEqual(json["planId"] as? String, "20261128T010000Z-web")
        XCTAssertEqual(json["planName"] as? String, "web")
        XCTAssertEqual((json["counts"] as? [String: Int])?["rebooted"], 2)
        XCTAssertEqual(json["time"] as? String, "2026-11-28T01:00:00.000Z")
        XCTAssertEqual(obj(.slack)["text"] as? String, "rebootd@\(HostName.current): plan 20261128T010000Z-web ended running (2 rebooted, 4 pending)")
        let ding = obj(.dingtalk)
        XCTAssertEqual(ding["msgtype"] as? String, "markdown")
        XCTAssertTrue(((ding["markdown"] as? [String: String])?["text"] ?? "").contains("2 rebooted, 4 pending"))
        XCTAssertNotNil((ding["markdown"] as? [String: String])?["title"])
        let feishu = obj(.feishu)
        XCTAssertEqual(feishu["msg_type"] as? String, "text")
        XCTAssertTrue(((feishu["content"] as? [String: String])?["text"] ?? "").hasPrefix("rebootd@\(HostName.current): plan 20261128T010000Z-web"))
    }

    /// Review finding: DingTalk and Feishu answer 200 with an error code for a bad token, a
    /// keyword mismatch or their rate limit; that was counted as delivered.
    func testChatRobotsErrorCodesAreFailuresAndRetried() throws {
        let bodies: [String] = [
            #"{"errcode":310000,"errmsg":"keywords not in content"}"#, #"{"errcode":0,"errmsg":"ok"}"#,
            #"{"code":19021,"msg":"sign match fail"}"#, #"{"code":0,"msg":"success"}"#,
        ]
        transport.answer = { n in .success(HTTPResponseData(status: 200, headers: [:], body: Data(bodies[min(n, 4) - 1].utf8))) }
        let d = dispatcher([NotifyTarget(url: Self.secretURL, format: .dingtalk, label: "ding")])
        d.post(Self.event(.planStarted))
        run(d, for: 2)
        XCTAssertEqual(counts["ding/failed"], 1)
        XCTAssertEqual(counts["ding/delivered"], 1)
        XCTAssertTrue(lines.text.contains("errcode 310000: keywords not in content"), lines.text)
        let f = dispatcher([NotifyTarget(url: Self.secretURL, format: .feishu, label: "lark")])
        f.post(Self.event(.planStarted))
        run(f, for: 2)
        XCTAssertEqual(counts["lark/failed"], 1)
        XCTAssertEqual(counts["lark/delivered"], 1)
    }

    /// Review finding: a full queue dropped its oldest event even while it was being sent.
    func testAFullQueueNeverDropsTheEventInFlight() throws {
        final class Held: @unchecked Sendable { var completion: (@Sendable (Result<HTTPResponseData, TransportFailure>) -> Void)? }
        let held = Held()
        let hold = HoldingTransport(held: { held.completion = $0 })
        let lines = self.lines
        let counts = self.counts
        let handler = JournaldLogHandler(label: "t", journald: false) { lines.add($0) }
        let d = NotificationDispatcher(
            targets: [NotifyTarget(url: Self.secretURL, format: .json, label: "q")], transport: hold, clock: clock,
            logger: Logger(label: "t") { _ in handler }, count: { counts.add($0, $1) })
        for k in 0...NotificationDispatcher.maxQueued { d.post(Self.event(k == 0 ? .planAccepted : .batchFinished)) }
        settle(d)
        XCTAssertEqual(counts["q/dropped"], 1)
        XCTAssertEqual(d.backlog()["q"], NotificationDispatcher.maxQueued)
        held.completion?(.success(HTTPResponseData(status: 200, headers: [:], body: Data())))
        settle(d)
        XCTAssertEqual(hold.sentEvents.first, "plan-accepted", "the event in flight was kept and delivered")
        let drop = lines.all.first { $0.contains("notification dropped") } ?? ""
        XCTAssertTrue(drop.contains("event=batch-finished"), "the oldest waiting event is dropped, not the one on its way: \(drop)")
        XCTAssertEqual(counts["q/delivered"], 1)
    }

    final class HoldingTransport: HTTPTransport, @unchecked Sendable {
        let lock = NSLock()
        let held: @Sendable (@escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void) -> Void
        var sentEvents: [String] = []
        init(held: @escaping @Sendable (@escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void) -> Void) { self.held = held }
        func send(
            _ request: HTTPRequestSpec, deadline: TimeInterval, completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
        ) {
            let event = ((try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any])?["event"] as? String ?? ""
            lock.withLock { sentEvents.append(event) }
            held(completion)
        }
    }
}
