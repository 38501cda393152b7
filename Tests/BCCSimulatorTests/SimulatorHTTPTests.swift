import BCC
import BCCSimulator
import Foundation
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The simulator over HTTP: wire shapes, the request log and the admin state.
final class SimulatorHTTPTests: XCTestCase {
    func testRequestLogAndAdminState() async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID()).jsonl").path
        var c = SimulatorConfiguration()
        c.fleet = [("i-one", .running), ("i-two", .running)]
        c.rebootMin = 60
        c.rebootMax = 60
        c.logPath = logPath
        let sim = try BCCSimulator(configuration: c)
        let running = try await sim.start()
        let client = BCCClient(
            endpoint: try BCCEndpoint(running.endpoint), credentials: SimulatorConfiguration.demoCredentials,
            transport: URLSessionTransport())
        _ = try await client.reboot("i-one", forceStop: false)
        _ = try? await client.reboot("i-one", forceStop: false)
        _ = try await client.describeMany(["i-one", "i-two"])

        let (data, _) = try await URLSession.shared.data(from: URL(string: running.endpoint + "/_admin/state")!)
        struct State: Decodable {
            struct I: Decodable {
                let id: String
                let status: String
                let reboots: Int
            }
            let instances: [I]
        }
        let state = try JSONDecoder().decode(State.self, from: data)
        XCTAssertEqual(state.instances.map(\.reboots), [1, 0])
        XCTAssertEqual(state.instances.map(\.status), ["Starting", "Running"])
        try await running.stop()

        let log = try RequestLog.read(path: logPath)
        XCTAssertEqual(log.map(\.call), ["reboot", "reboot", "describeMany"])
        XCTAssertEqual(log.map(\.status), [200, 409, 200])
        XCTAssertEqual(log[0].before["i-one"], "Running")
        XCTAssertEqual(log[0].after["i-one"], "Starting")
        XCTAssertEqual(log[1].code, "Instance.RebootInstanceOperationForbidden")
        XCTAssertEqual(log[2].ids, ["i-one", "i-two"])
        XCTAssertTrue(log.allSatisfy(\.signatureVerified))
        XCTAssertTrue(log.allSatisfy { $0.end >= $0.start })
    }
}
