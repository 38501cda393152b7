import BCC
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// The BCC API simulator: serves reboot, describe, describe-many, the filtered list call and batch
/// reboot with BCE's wire format, verifies signatures, runs each instance's state machine and
/// injects faults.
/// Start it in-process with `start()`, or through the `bcc-sim` executable.
public final class BCCSimulator: Sendable {
    public let configuration: SimulatorConfiguration
    public let fleet: SimulatedFleet
    let faults: FaultInjector
    let verifier: SignatureVerifier
    let log: RequestLog
    let now: @Sendable () -> Date

    public init(configuration: SimulatorConfiguration, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.configuration = configuration
        self.now = now
        fleet = SimulatedFleet(configuration: configuration, now: now)
        faults = FaultInjector(configuration: configuration, fleet: fleet)
        verifier = SignatureVerifier(credentials: configuration.credentials, now: now)
        log = try RequestLog(path: configuration.logPath)
    }

    /// A simulator that is serving; `stop()` ends it.
    public final class Running: Sendable {
        public let port: Int
        let group: ServiceGroup
        let task: Task<Void, Error>

        public let scheme: String

        init(port: Int, scheme: String, group: ServiceGroup, task: Task<Void, Error>) {
            self.port = port
            self.scheme = scheme
            self.group = group
            self.task = task
        }

        public var endpoint: String { "\(scheme)://127.0.0.1:\(port)" }

        public func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    /// Starts serving on the configured host and port (0: ephemeral) and returns once bound.
    public func start(logger: Logger = Logger(label: "bcc-sim")) async throws -> Running {
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        var server = HTTPServerBuilder.http1()
        if let cert = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        }
        let app = Application(
            router: makeRouter(),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "bcc-sim"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in portStream { port = p }
        if port == 0 {
            try? await task.value
            throw SimulatorStartError(host: configuration.host, port: configuration.port)
        }
        return Running(port: port, scheme: configuration.tlsCertificatePath == nil ? "http" : "https", group: group, task: task)
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/_admin/state") { _, _ in self.adminState() }
        router.get("/_admin/faults") { _, _ in self.listFaults() }
        router.post("/_admin/faults") { request, _ in try await self.addFault(request) }
        router.delete("/_admin/faults") { _, _ in self.clearFaults() }
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.respond(to: request)
        }
        router.get("/v2/instance", use: handler)
        router.get("/v2/instance/:id", use: handler)
        router.put("/v2/instance/:id", use: handler)
        return router
    }

    func adminState() -> Response {
        struct Entry: Encodable {
            let id: String
            let status: String
            let reboots: Int
            let name: String?
            let zoneName: String?
            let tags: [String]?
            let deploySetIds: [String]?
        }
        struct State: Encodable { let instances: [Entry] }
        let state = State(
            instances: fleet.snapshot().map {
                let a = fleet.attributes($0.id)
                return Entry(
                    id: $0.id, status: $0.status.rawValue, reboots: $0.reboots, name: a?.name, zoneName: a?.zoneName,
                    tags: a?.tags.map(\.description), deploySetIds: a?.deploySetIds)
            })
        let data = (try? JSONEncoder().encode(state)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
