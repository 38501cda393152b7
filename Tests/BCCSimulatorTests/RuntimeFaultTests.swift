import BCC
import Foundation
import XCTest

@testable import BCCSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Faults switched while the simulator runs (`/_admin/faults`, SPEC §8), per kind of call, over
/// HTTP against an in-process simulator whose clock the test moves.
final class RuntimeFaultTests: XCTestCase {
    /// A clock that starts at the real time (signatures are checked against it) and moves only
    /// when the test says so.
    final class TestClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Date()
        var now: Date {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        func advance(_ seconds: TimeInterval) {
            lock.lock()
            value += seconds
            lock.unlock()
        }
    }

    struct FaultList: Decodable {
        struct F: Decodable {
            let id: Int
            let call: String
            let kind: String
            let count: Int?
            let applied: Int
            let remainingSeconds: Double?
        }
        let faults: [F]
    }

    var clock = TestClock()
    var sim: BCCSimulator!
    var running: BCCSimulator.Running!
    var client: BCCClient!

    override func setUp() async throws {
        clock = TestClock()
        var c = SimulatorConfiguration()
        c.fleet = [("i-one", .running), ("i-two", .running), ("i-three", .running)]
        c.rebootMin = 60
        c.rebootMax = 60
        c.seed = 5
        let clock = self.clock
        sim = try BCCSimulator(configuration: c, now: { clock.now })
        running = try await sim.start()
        client = makeClient()
    }

    override func tearDown() async throws {
        try await running?.stop()
    }

    func makeClient(timeout: TimeInterval = 10) -> BCCClient {
        BCCClient(
            endpoint: try! BCCEndpoint(running.endpoint), credentials: SimulatorConfiguration.demoCredentials,
            transport: URLSessionTransport(), requestTimeout: timeout)
    }

    /// Sends an admin request; returns the HTTP status and the body as text.
    func admin(_ method: String, _ body: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: running.endpoint + "/_admin/faults")!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func activeFaults() async throws -> [FaultList.F] {
        let (status, body) = try await admin("GET")
        XCTAssertEqual(status, 200)
        return try JSONDecoder().decode(FaultList.self, from: Data(body.utf8)).faults
    }

    /// The HTTP status a describe-many call got (200 when it succeeded).
    func describeManyStatus() async -> Int {
        do {
            _ = try await client.describeMany(["i-one", "i-two"])
            return 200
        } catch {
            return error.httpStatus ?? -1
        }
    }

    func testDescribeManyErrorForNSecondsAnswers500ThenRecovers() async throws {
        let added = try await admin("POST", #"{"call": "describeMany", "kind": "error", "status": 500, "for": 10}"#)
        XCTAssertEqual(added.status, 201, added.body)
        do {
            _ = try await client.describeMany(["i-one"])
            XCTFail("describe-many must fail while the fault is on")
        } catch {
            XCTAssertEqual(error.httpStatus, 500)
            XCTAssertEqual(error.code, "InternalError")
        }
        // Only that kind of call is hit.
        _ = try await client.describe("i-one")
        _ = try await client.reboot("i-three", forceStop: false)

        clock.advance(9.9)
        let stillFailing = await describeManyStatus()
        XCTAssertEqual(stillFailing, 500, "still inside the 10 s")
        let listed = try await activeFaults()
        XCTAssertEqual(listed.map(\.call), ["describeMany"])
        clock.advance(0.1)
        let recovered = await describeManyStatus()
        XCTAssertEqual(recovered, 200, "over after 10 s")
        let listedAfter = try await activeFaults()
        XCTAssertEqual(listedAfter.count, 0, "an expired fault is no longer listed")
    }

    func testErrorWithCodeAndStatusOtherThan500() async throws {
        let added = try await admin("POST", #"{"call": "reboot", "kind": "error", "status": 504, "code": "GatewayTimeout"}"#)
        XCTAssertEqual(added.status, 201, added.body)
        do {
            _ = try await client.reboot("i-one", forceStop: false)
            XCTFail("the reboot must be refused")
        } catch {
            XCTAssertEqual(error.httpStatus, 504)
            XCTAssertEqual(error.code, "GatewayTimeout")
        }
        XCTAssertEqual(sim.fleet.snapshot().first?.reboots, 0, "an error answer does not apply the call")
        clock.advance(1000)  // within the signature's 30 min validity
        let still = await describeManyStatus()
        XCTAssertEqual(still, 200, "describe-many is not hit")
        let listed = try await activeFaults()
        XCTAssertEqual(listed.count, 1, "without \"for\" it lasts until cleared")
    }

    /// A busy fault: something else starts the instance just as the reboot arrives; the call
    /// gets BCE's 409 and the instance is Running again after the fault's seconds.
    func testRebootBusyAnswers409AndTheInstanceComesBackByItself() async throws {
        let added = try await admin("POST", #"{"call": "reboot", "kind": "busy", "seconds": 5, "count": 1}"#)
        XCTAssertEqual(added.status, 201, added.body)
        do {
            _ = try await client.reboot("i-one", forceStop: false)
            XCTFail("a busy instance refuses the reboot")
        } catch {
            XCTAssertEqual(error.httpStatus, 409)
            XCTAssertEqual(error.code, "Instance.RebootInstanceOperationForbidden")
        }
        XCTAssertEqual(sim.fleet.status("i-one"), .starting)
        XCTAssertEqual(sim.fleet.snapshot().map(\.reboots), [0, 0, 0], "the reboot was not applied")
        clock.advance(5)
        XCTAssertEqual(sim.fleet.status("i-one"), .running)
        _ = try await client.reboot("i-one", forceStop: false)
        XCTAssertEqual(sim.fleet.snapshot().map(\.reboots), [1, 0, 0], "used up after one call")
        let refused = try await admin("POST", #"{"call": "describeMany", "kind": "busy", "seconds": 5}"#)
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.body.contains("reboot"), refused.body)
    }

    /// An endless listing: only for describe-many, and it takes no status, code or seconds.
    func testEndlessIsForListingsOnly() async throws {
        let refused = try await admin("POST", #"{"call": "reboot", "kind": "endless"}"#)
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.body.contains("describeMany"), refused.body)
        let withSeconds = try await admin("POST", #"{"call": "describeMany", "kind": "endless", "seconds": 2}"#)
        XCTAssertEqual(withSeconds.status, 400)
        let added = try await admin("POST", #"{"call": "describeMany", "kind": "endless", "for": 5}"#)
        XCTAssertEqual(added.status, 201, added.body)
    }

    func testRebootHangAppliesTheRebootAndAnswersLate() async throws {
        let added = try await admin("POST", #"{"call": "reboot", "kind": "hang", "seconds": 1.5, "for": 8}"#)
        XCTAssertEqual(added.status, 201, added.body)
        let started = Date()
        let client = self.client!
        let call = Task { try await client.reboot("i-one", forceStop: false) }
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(sim.fleet.status("i-one"), .starting, "applied to the fleet before the answer")
        _ = try await call.value
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.5, "answered only after the hang")

        // A client that gives up first sees an in-doubt timeout, yet the reboot happened.
        do {
            _ = try await makeClient(timeout: 0.5).reboot("i-two", forceStop: false)
            XCTFail("the answer is held past the client's deadline")
        } catch {
            XCTAssertEqual(error.code, "Timeout")
            XCTAssertTrue(error.inDoubt)
        }
        XCTAssertEqual(sim.fleet.snapshot().map(\.reboots), [1, 1, 0])

        // Status calls are not held.
        let t0 = Date()
        let status = await describeManyStatus()
        XCTAssertEqual(status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 1)
        clock.advance(8)
        let t1 = Date()
        _ = try await client.reboot("i-three", forceStop: false)
        XCTAssertLessThan(Date().timeIntervalSince(t1), 1, "the hang is over after 8 s")
    }

    func testCountIsHonoured() async throws {
        let added = try await admin("POST", #"{"call": "any", "kind": "throttle", "count": 2, "retryAfter": 3}"#)
        XCTAssertEqual(added.status, 201, added.body)
        var statuses: [Int] = []
        var retryAfter: [TimeInterval?] = []
        for _ in 0..<4 {
            do {
                _ = try await client.describe("i-one")
                statuses.append(200)
            } catch {
                statuses.append(error.httpStatus ?? -1)
                retryAfter.append(error.retryAfter)
                XCTAssertEqual(error.code, "RequestLimitExceeded")
            }
        }
        XCTAssertEqual(statuses, [429, 429, 200, 200])
        XCTAssertEqual(retryAfter, [3, 3])
        let listed = try await activeFaults()
        XCTAssertEqual(listed.count, 0, "used up")
    }

    func testRateIsHonoured() async throws {
        var added = try await admin("POST", #"{"call": "describe", "kind": "error", "status": 503, "rate": 0.3}"#)
        XCTAssertEqual(added.status, 201, added.body)
        var failed = 0
        for _ in 0..<100 {
            do { _ = try await client.describe("i-two") } catch { failed += 1 }
        }
        XCTAssertTrue((15...45).contains(failed), "about 30 of 100 fail, got \(failed)")
        let listed = try await activeFaults()
        XCTAssertEqual(listed.first?.applied, failed)

        _ = try await admin("DELETE")
        added = try await admin("POST", #"{"call": "describe", "kind": "error", "rate": 0}"#)
        XCTAssertEqual(added.status, 201, added.body)
        for _ in 0..<20 { _ = try await client.describe("i-two") }
    }

    func testSeveralFaultsAtOnceAndDeleteClearsThem() async throws {
        _ = try await admin("POST", #"{"call": "describeMany", "kind": "error", "status": 502, "for": 60}"#)
        _ = try await admin("POST", #"{"call": "reboot", "kind": "throttle", "for": 60}"#)
        let listed = try await activeFaults()
        XCTAssertEqual(listed.map(\.call), ["describeMany", "reboot"])
        let describeFailed = await describeManyStatus()
        XCTAssertEqual(describeFailed, 502)
        do {
            _ = try await client.reboot("i-one", forceStop: false)
            XCTFail("throttled")
        } catch {
            XCTAssertEqual(error.httpStatus, 429)
        }
        let cleared = try await admin("DELETE")
        XCTAssertEqual(cleared.status, 200)
        XCTAssertTrue(cleared.body.contains(#""cleared":2"#), cleared.body)
        let listedAfter = try await activeFaults()
        XCTAssertEqual(listedAfter.count, 0)
        let describeOK = await describeManyStatus()
        XCTAssertEqual(describeOK, 200)
        _ = try await client.reboot("i-one", forceStop: false)
    }

    func testBadBodyIsRefusedWith400AndAClearMessage() async throws {
        let cases: [(String, String)] = [
            ("not json", "JSON object"),
            (#"[1, 2]"#, "JSON object"),
            (#"{"kind": "error"}"#, "\"call\" is required"),
            (#"{"call": "reboots", "kind": "error"}"#, "\"call\" must be one of reboot, describe, describeMany, batchReboot, any"),
            (#"{"call": "reboot"}"#, "\"kind\" is required"),
            (#"{"call": "reboot", "kind": "explode"}"#, "\"kind\" must be one of error, hang, throttle, busy, endless"),
            (#"{"call": "reboot", "kind": "hang"}"#, "\"seconds\" is required"),
            (#"{"call": "reboot", "kind": "hang", "seconds": 0}"#, "\"seconds\" must be > 0"),
            (#"{"call": "reboot", "kind": "error", "status": 200}"#, "\"status\" must be between 400 and 599"),
            (#"{"call": "reboot", "kind": "error", "status": "500"}"#, "\"status\" must be an integer"),
            (#"{"call": "reboot", "kind": "error", "rate": 1.5}"#, "\"rate\" must be between 0 and 1"),
            (#"{"call": "reboot", "kind": "error", "count": 0}"#, "\"count\" must be at least 1"),
            (#"{"call": "reboot", "kind": "error", "for": -1}"#, "\"for\" must be a number of seconds > 0"),
            (#"{"call": "reboot", "kind": "error", "fro": 5}"#, "unknown key \"fro\""),
            (#"{"call": "reboot", "kind": "throttle", "status": 500}"#, "\"status\" does not apply to kind \"throttle\""),
            (#"{"call": "reboot", "kind": "error", "seconds": 3}"#, "\"seconds\" does not apply to kind \"error\""),
        ]
        for (body, expected) in cases {
            let (status, answer) = try await admin("POST", body)
            XCTAssertEqual(status, 400, body)
            XCTAssertTrue(answer.contains(expected.replacingOccurrences(of: "\"", with: "\\\"")), "\(body) → \(answer)")
        }
        let listed = try await activeFaults()
        XCTAssertEqual(listed.count, 0, "nothing was switched on")
    }

    func testScheduleDropsExpiredAndUsedUpFaults() {
        let schedule = FaultSchedule()
        let t0 = Date(timeIntervalSince1970: 1000)
        schedule.add(ScheduledFault(call: .describeMany, kind: .error(status: 500, code: "InternalError"), since: t0, until: t0 + 5))
        schedule.add(ScheduledFault(call: .any, kind: .throttle(retryAfter: 1), since: t0, count: 1))
        XCTAssertEqual(schedule.hit(.describeMany, at: t0, draw: { 0 }), .error(status: 500, code: "InternalError"), "first added wins")
        XCTAssertEqual(schedule.hit(.reboot, at: t0, draw: { 0 }), .throttle(retryAfter: 1))
        XCTAssertNil(schedule.hit(.reboot, at: t0, draw: { 0 }), "count 1 is used up")
        XCTAssertNil(schedule.hit(.admin, at: t0, draw: { 0 }), "any never hits the admin API")
        XCTAssertEqual(schedule.active(at: t0 + 4.999).count, 1)
        XCTAssertNil(schedule.hit(.describeMany, at: t0 + 5, draw: { 0 }), "over at `until`")
        XCTAssertEqual(schedule.active(at: t0 + 5).count, 0)
    }
}
