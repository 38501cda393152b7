import Foundation
import XCTest

@testable import BCC
@testable import BCCSimulator

/// The list call and the describe answers over HTTP: the wire format of zone, tags and deploy
/// sets, paging by marker across more than 1,000 instances, refusals, and the request log.
final class SimulatorListingTests: XCTestCase {
    var running: BCCSimulator.Running?
    var logPath = ""

    override func tearDown() async throws {
        try await running?.stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    private func start(_ tweak: (inout SimulatorConfiguration) -> Void) async throws -> (BCCSimulator, BCCClient) {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID()).jsonl").path
        var c = SimulatorConfiguration()
        c.rebootMin = 60
        c.rebootMax = 60
        c.logPath = logPath
        tweak(&c)
        let sim = try BCCSimulator(configuration: c)
        let running = try await sim.start()
        self.running = running
        let client = BCCClient(
            endpoint: try BCCEndpoint(running.endpoint), credentials: SimulatorConfiguration.demoCredentials, transport: URLSessionTransport())
        return (sim, client)
    }

    private func page(
        _ client: BCCClient, _ filters: [(String, String)], marker: String? = nil, maxKeys: Int = 1000
    ) async -> Result<InstanceListPage, BCCError> {
        await withCheckedContinuation { continuation in
            client.listPage(filters: filters, marker: marker, maxKeys: maxKeys) { continuation.resume(returning: $0) }
        }
    }

    private func rawJSON(_ client: BCCClient, path: String, query: [(String, String?)]) async throws -> [String: Any] {
        let result = await withCheckedContinuation { continuation in
            client.send(method: "GET", path: path, query: query, body: nil) { continuation.resume(returning: $0) }
        }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: result.get().body) as? [String: Any])
    }

    func testDescribeAndListAnswerZoneTagsAndDeploySetsAsBCCDoes() async throws {
        let (_, client) = try await start { c in
            c.append(try! FleetFile.parse("i-given zone=cn-bj-b tag=env:prod tag=role:db deploySet=dset-9 name=db-01\ni-bare name=bare\ni-spread"))
        }
        let one = try await rawJSON(client, path: "/v2/instance/i-given", query: [])
        let instance = try XCTUnwrap(one["instance"] as? [String: Any])
        XCTAssertEqual(instance["id"] as? String, "i-given")
        XCTAssertEqual(instance["name"] as? String, "db-01")
        XCTAssertEqual(instance["status"] as? String, "Running")
        XCTAssertEqual(instance["zoneName"] as? String, "cn-bj-b")
        XCTAssertEqual(instance["tags"] as? [[String: String]], [["tagKey": "env", "tagValue": "prod"], ["tagKey": "role", "tagValue": "db"]])
        XCTAssertEqual(instance["deploySetIds"] as? [String], ["dset-9"])

        let list = try await rawJSON(client, path: "/v2/instance", query: [("maxKeys", "10")])
        let instances = try XCTUnwrap(list["instances"] as? [[String: Any]])
        XCTAssertEqual(instances.map { $0["id"] as? String }, ["i-given", "i-bare", "i-spread"])
        XCTAssertNil(instances[1]["zoneName"], "an instance without a zone has no zoneName")
        XCTAssertEqual(instances[1]["tags"] as? [[String: String]], [])
        XCTAssertEqual(instances[1]["deploySetIds"] as? [String], [])
        XCTAssertEqual(instances[2]["zoneName"] as? String, "cn-bj-c", "the third in the fleet, spread round-robin")
        XCTAssertEqual(instances[2]["name"] as? String, "web-00003")
        XCTAssertEqual(instances[2]["deploySetIds"] as? [String], ["dset-cn-bj-c"])
        XCTAssertEqual(list["isTruncated"] as? Bool, false)
        XCTAssertEqual(list["nextMarker"] as? String, "")

        let decoded = try await client.describe("i-given")
        XCTAssertEqual(decoded.tags, [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "role", value: "db")])
        XCTAssertEqual(decoded.zoneName, "cn-bj-b")
        XCTAssertEqual(decoded.deploySetIds, ["dset-9"])
    }

    func testAFilteredListingPagesByMarkerAcrossMoreThanAThousandInstances() async throws {
        let ids = SimulatorConfiguration.generateIds(count: 3_600, seed: 11)
        let (_, client) = try await start { c in c.fleet = ids.map { ($0, InstanceStatus.running) } }
        // Zone cn-bj-a is every third instance: 1,200 of them.
        let inZoneA = ids.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let first = try await page(client, [("zoneName", "cn-bj-a")]).get()
        XCTAssertEqual(first.instances.count, 1000, "maxKeys is at most 1,000")
        XCTAssertTrue(first.isTruncated)
        XCTAssertEqual(first.nextMarker, inZoneA[1000])
        let second = try await page(client, [("zoneName", "cn-bj-a")], marker: first.nextMarker).get()
        XCTAssertEqual(second.instances.count, 200)
        XCTAssertFalse(second.isTruncated)
        XCTAssertEqual(second.nextMarker, "")
        XCTAssertEqual((first.instances + second.instances).map(\.id), inZoneA, "every match once, in fleet order")

        // Two fields AND, two values OR, in pages of 250 (maxKeys 5,000 is taken as 1,000 above).
        let filters = [("zoneName", "cn-bj-a,cn-bj-b"), ("tags", "role:web")]
        let expected = ids.enumerated().filter { $0.offset % 3 != 2 && ($0.offset / 3) % 2 == 0 }.map(\.element)
        var listed: [String] = []
        var marker: String?
        var pages = 0
        repeat {
            let p = try await page(client, filters, marker: marker, maxKeys: 250).get()
            listed += p.instances.map(\.id)
            marker = p.isTruncated ? p.nextMarker : nil
            pages += 1
        } while marker != nil && pages < 20
        XCTAssertEqual(expected.count, 1200)
        XCTAssertEqual(listed, expected)
        XCTAssertEqual(pages, 5)

        let log = try RequestLog.read(path: logPath)
        XCTAssertEqual(log.count, 2 + 5, "each page is one request")
        XCTAssertEqual(log.map(\.call), Array(repeating: "describeMany", count: 7))
        XCTAssertEqual(log[0].filters, ["zoneName": "cn-bj-a"])
        XCTAssertEqual(log[2].filters, ["zoneName": "cn-bj-a,cn-bj-b", "tags": "role:web"])
        XCTAssertEqual(log[2].before.count, 250, "the statuses a page answered")
    }

    func testAMarkerKeepsItsPlaceWhenTheStatusChangesBetweenPages() async throws {
        let (_, client) = try await start { c in c.fleet = (1...6).map { ("i-\($0)", InstanceStatus.running) } }
        let first = try await page(client, [("status", "Running")], maxKeys: 2).get()
        XCTAssertEqual(first.instances.map(\.id), ["i-1", "i-2"])
        XCTAssertEqual(first.nextMarker, "i-3")
        _ = try await client.reboot("i-3", forceStop: false)
        let second = try await page(client, [("status", "Running")], marker: "i-3", maxKeys: 2).get()
        XCTAssertEqual(second.instances.map(\.id), ["i-4", "i-5"], "i-3 is Starting now; the page goes on from its place")
    }

    func testUnknownValuesListNothingAndRefusedCombinationsAnswer400() async throws {
        let (_, client) = try await start { c in c.fleet = (1...30).map { ("i-\($0)", InstanceStatus.running) } }
        for filters in [[("zoneName", "cn-gz-x")], [("tags", "env:nope")], [("deploySetIds", "dset-x")], [("status", "Stopped")]] {
            let p = try await page(client, filters).get()
            XCTAssertEqual(p.instances, [], "\(filters)")
            XCTAssertFalse(p.isTruncated)
        }
        let refused = await page(client, [("instanceNames", "web-00001"), ("fuzzyInstanceName", "web")])
        guard case .failure(let error) = refused else { return XCTFail("instanceNames with fuzzyInstanceName must be refused") }
        XCTAssertEqual(error.httpStatus, 400)
        XCTAssertEqual(error.code, "InvalidParameter")
        let badMarker = await page(client, [("zoneName", "cn-bj-a")], marker: "i-nope")
        guard case .failure(let markerError) = badMarker else { return XCTFail("an unknown marker must be refused") }
        XCTAssertEqual(markerError.code, "InvalidParameter")
    }
}
