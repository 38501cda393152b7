import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// An in-process HTTP server on a loopback port for the gate and notify tests: a `/metrics`
/// page whose value the test flips (scraped by a real Prometheus), a `/health` page whose status
/// it sets, a malformed and a hanging Prometheus API (error shapes the real one won't make), and
/// webhook receivers that record what they get and answer as told (200, 500 at first, or hang).
final class WebFixture: @unchecked Sendable {
    /// How a receiver at `/hook/NAME` answers.
    enum HookMode: Sendable {
        case ok
        case failFirst(Int)
        case hang
    }

    struct Received: Sendable {
        let hook: String
        let at: Date
        let body: Data
    }

    private let lock = NSLock()
    private var metricValue = 0.0
    private var healthStatus = 200
    private var modes: [String: HookMode] = [:]
    private var seen: [String: Int] = [:]
    private var got: [Received] = []
    private var group: ServiceGroup?
    private var task: Task<Void, Error>?
    private(set) var port = 0
    private var stopping = false

    var metric: Double {
        get { lock.withLock { metricValue } }
        set { lock.withLock { metricValue = newValue } }
    }

    var health: Int {
        get { lock.withLock { healthStatus } }
        set { lock.withLock { healthStatus = newValue } }
    }

    func setHook(_ name: String, _ mode: HookMode) { lock.withLock { modes[name] = mode } }

    /// Requests a receiver got (the hanging ones too), in arrival order.
    func received(_ hook: String) -> [Received] { lock.withLock { got.filter { $0.hook == hook } } }

    /// Everything every receiver got, as text (to look for secrets).
    var allBodies: String { lock.withLock { got.map { String(decoding: $0.body, as: UTF8.self) }.joined(separator: "\n") } }

    var base: String { "http://127.0.0.1:\(port)" }

    func start() throws {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: "# TYPE demo_unhealthy gauge\ndemo_unhealthy \(self.metric)\n")))
        }
        router.get("/health") { _, _ in Response(status: .init(code: self.health)) }
        router.get("/malformed/api/v1/query") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"succ")))
        }
        router.get("/hanging/api/v1/query") { _, _ in
            await self.hang(seconds: 60)
            return Response(status: .ok)
        }
        router.post("/hook/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            let mode = self.lock.withLock { () -> HookMode in
                self.got.append(Received(hook: name, at: Date(), body: Data(body.readableBytesView)))
                self.seen[name, default: 0] += 1
                switch self.modes[name] ?? .ok {
                case .failFirst(let n): return (self.seen[name] ?? 0) <= n ? .failFirst(n) : .ok
                case let other: return other
                }
            }
            switch mode {
            case .ok: return Response(status: .ok)
            case .failFirst: return Response(status: .internalServerError)
            case .hang:
                await self.hang(seconds: 120)
                return Response(status: .ok)
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "web-fixture"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: Logger(label: "web-fixture"))
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "web-fixture")))
        self.group = group
        task = Task { try await group.run() }
        final class Box: @unchecked Sendable { var port = 0 }
        let box = Box()
        let ready = DispatchSemaphore(value: 0)
        Task {
            for await p in ports { box.port = p }
            ready.signal()
        }
        guard ready.wait(timeout: .now() + 10) == .success, box.port != 0 else { throw Harness.Failure("the web fixture did not start") }
        port = box.port
    }

    /// Holds an answer back for `seconds`, or until the fixture stops.
    private func hang(seconds: Double) async {
        let until = Date() + seconds
        while Date() < until, !lock.withLock({ stopping }) { try? await Task.sleep(for: .milliseconds(200)) }
    }

    func stop() {
        lock.withLock { stopping = true }
        guard let group else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await group.triggerGracefulShutdown()
            _ = try? await task?.value
            done.signal()
        }
        _ = done.wait(timeout: .now() + 10)
    }
}
