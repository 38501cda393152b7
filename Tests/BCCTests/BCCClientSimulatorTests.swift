import BCC
import BCCSimulator
import Foundation
import XCTest

/// The client against the in-process simulator over real loopback HTTP: each call, each error class.
class BCCClientSimulatorTests: XCTestCase {
    /// The transport under test; the subclass runs every test on AsyncHTTPClient.
    func makeTransport() -> HTTPTransport { URLSessionTransport(maxConnections: 4) }

    let credentials = BCECredentials(accessKeyId: "test-ak", secretAccessKey: "test-secret-key-0123456789")

    func makeSimulator(_ tweak: (inout SimulatorConfiguration) -> Void = { _ in }) async throws -> (BCCSimulator, BCCSimulator.Running) {
        var c = SimulatorConfiguration()
        c.credentials = [credentials]
        c.fleet = (1...150).map { (String(format: "i-%08d", $0), InstanceStatus.running) }
        c.fleet[1].status = .starting
        c.startingFor = 60
        c.rebootMin = 30
        c.rebootMax = 30
        tweak(&c)
        let sim = try BCCSimulator(configuration: c)
        return (sim, try await sim.start())
    }

    func client(
        _ running: BCCSimulator.Running, secret: String? = nil, timeout: TimeInterval = 5,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> BCCClient {
        let creds = BCECredentials(accessKeyId: credentials.accessKeyId, secretAccessKey: secret ?? credentials.secretAccessKey)
        return BCCClient(
            endpoint: try BCCEndpoint(running.endpoint), credentials: creds,
            transport: makeTransport(), requestTimeout: timeout, now: now)
    }

    func testRebootDescribeAndList() async throws {
        let (sim, running) = try await makeSimulator()
        defer { Task { try? await running.stop() } }
        let c = try client(running)
        let before = try await c.describe("i-00000001")
        XCTAssertEqual(before.status, .running)
        let requestId = try await c.reboot("i-00000001", forceStop: false)
        XCTAssertNotNil(requestId)
        let after = try await c.describe("i-00000001")
        XCTAssertEqual(after.status, .starting)
        XCTAssertEqual(sim.fleet.snapshot().first?.reboots, 1)

        let ids = (1...150).map { String(format: "i-%08d", $0) }
        let many = try await c.describeMany(ids)
        XCTAssertEqual(many.map(\.id), ids, "describeMany must return every id across 100-id chunks")
        XCTAssertEqual(many[0].status, .starting)

        let page = try await c.listPage(instanceIds: nil, marker: nil, maxKeys: 40)
        XCTAssertEqual(page.instances.count, 40)
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextMarker, "i-00000041")
    }

    func testBatchRebootReportsFailedIds() async throws {
        let (sim, running) = try await makeSimulator()
        defer { Task { try? await running.stop() } }
        let c = try client(running)
        let result = try await c.batchReboot(["i-00000003", "i-00000002", "i-99999999"], forceStop: true)
        XCTAssertEqual(Set(result.failedInstanceIdList), ["i-00000002", "i-99999999"])
        XCTAssertEqual(sim.fleet.snapshot()[2].reboots, 1)
    }

    func testConflictNotFoundAndRequestIds() async throws {
        let (_, running) = try await makeSimulator()
        defer { Task { try? await running.stop() } }
        let c = try client(running)
        do {
            _ = try await c.reboot("i-00000002", forceStop: false)
            XCTFail("a Starting instance must be refused")
        } catch {
            XCTAssertEqual(error.kind, .conflict)
            XCTAssertEqual(error.httpStatus, 409)
            XCTAssertEqual(error.code, "Instance.RebootInstanceOperationForbidden")
            XCTAssertNotNil(error.requestId)
        }
        do {
            _ = try await c.describe("i-nope")
            XCTFail("unknown id must be 404")
        } catch {
            XCTAssertEqual(error.kind, .instanceFatal)
            XCTAssertEqual(error.httpStatus, 404)
            XCTAssertEqual(error.code, "NoSuchObject")
        }
    }

    func testThrottledAndInternalError() async throws {
        let (_, running) = try await makeSimulator { $0.qpsLimit = 1 }
        defer { Task { try? await running.stop() } }
        let c = try client(running)
        _ = try await c.describe("i-00000001")
        do {
            _ = try await c.describe("i-00000001")
            XCTFail("the second call within a second must be throttled")
        } catch {
            XCTAssertEqual(error.kind, .throttled)
            XCTAssertEqual(error.httpStatus, 429)
            XCTAssertEqual(error.retryAfter, 1)
        }
        let (_, failing) = try await makeSimulator { $0.errorRate = 1 }
        defer { Task { try? await failing.stop() } }
        do {
            _ = try await client(failing).reboot("i-00000001", forceStop: false)
            XCTFail("error rate 1 must fail")
        } catch let error as BCCError {
            XCTAssertEqual(error.kind, .transient)
            XCTAssertEqual(error.code, "InternalError")
            XCTAssertFalse(error.inDoubt, "an answered 500 is not in doubt")
        }
    }

    func testHangPastDeadlineIsInDoubtAndBounded() async throws {
        let (_, running) = try await makeSimulator {
            $0.hangRate = 1
            $0.hangSeconds = 4
        }
        defer { Task { try? await running.stop() } }
        let c = try client(running, timeout: 0.5)
        let started = Date()
        do {
            _ = try await c.reboot("i-00000001", forceStop: false)
            XCTFail("a hang must time out")
        } catch {
            XCTAssertEqual(error.code, "Timeout")
            XCTAssertEqual(error.kind, .transient)
            XCTAssertTrue(error.inDoubt)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "the client's own deadline must cut the call")
    }

    func testAccountErrors() async throws {
        let (_, running) = try await makeSimulator()
        defer { Task { try? await running.stop() } }
        do {
            _ = try await client(running, secret: "wrong-secret").describe("i-00000001")
            XCTFail("a wrong secret must be refused")
        } catch let error as BCCError {
            XCTAssertEqual(error.httpStatus, 400)
            XCTAssertEqual(error.code, "SignatureDoesNotMatch")
            XCTAssertEqual(error.kind, .accountFatal)
            XCTAssertFalse("\(error)".contains("wrong-secret"))
            XCTAssertFalse("\(error)".contains("bce-auth-v1/"))
        }
        do {
            _ = try await client(running, now: { Date().addingTimeInterval(-7200) }).describe("i-00000001")
            XCTFail("an expired signature must be refused")
        } catch let error as BCCError {
            XCTAssertEqual(error.code, "RequestExpired")
            XCTAssertEqual(error.kind, .accountFatal)
        }
        let stranger = BCCClient(
            endpoint: try BCCEndpoint(running.endpoint),
            credentials: BCECredentials(accessKeyId: "unknown", secretAccessKey: "x"),
            transport: makeTransport())
        do {
            _ = try await stranger.describe("i-00000001")
            XCTFail("an unknown key must be refused")
        } catch {
            XCTAssertEqual(error.httpStatus, 403)
            XCTAssertEqual(error.code, "InvalidAccessKeyId")
        }
    }

    func testConnectionRefusedIsNotInDoubt() async throws {
        let c = BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"), credentials: credentials,
            transport: makeTransport(), requestTimeout: 3)
        do {
            _ = try await c.reboot("i-00000001", forceStop: false)
            XCTFail("nothing listens on port 1")
        } catch {
            XCTAssertEqual(error.kind, .transient)
            XCTAssertFalse(error.inDoubt, "\(error)")
        }
    }
}

/// The same tests over AsyncHTTPClient, the daemon's transport.
final class BCCClientAsyncHTTPClientTests: BCCClientSimulatorTests {
    override func makeTransport() -> HTTPTransport { try! AsyncHTTPClientTransport(maxConnections: 4) }

    // Linux test discovery does not see inherited test methods, so each is named again here.
    override func testRebootDescribeAndList() async throws { try await super.testRebootDescribeAndList() }
    override func testBatchRebootReportsFailedIds() async throws { try await super.testBatchRebootReportsFailedIds() }
    override func testConflictNotFoundAndRequestIds() async throws { try await super.testConflictNotFoundAndRequestIds() }
    override func testThrottledAndInternalError() async throws { try await super.testThrottledAndInternalError() }
    override func testHangPastDeadlineIsInDoubtAndBounded() async throws { try await super.testHangPastDeadlineIsInDoubtAndBounded() }
    override func testAccountErrors() async throws { try await super.testAccountErrors() }
    override func testConnectionRefusedIsNotInDoubt() async throws { try await super.testConnectionRefusedIsNotInDoubt() }
}
