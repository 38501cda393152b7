import BCC
import BCCSimulator
import Foundation
import RebootTesting
import XCTest

/// `BCCClient.listInstances(matching:)`: one listing through the list call's filters, every page
/// after the first sent only when the `nextPage` hook calls back, narrowed on our side to what the
/// selector says, in the list call's order.
final class SelectionListingTests: XCTestCase {
    /// Counts the `nextPage` hook's calls and lets each page go on from another queue, as a rate
    /// limiter does.
    final class Permits: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var taken: Int { lock.withLock { count } }
        func hook(_ go: @escaping @Sendable () -> Void) {
            lock.withLock { count += 1 }
            DispatchQueue.global().async(execute: go)
        }
    }

    private func select(
        _ client: BCCClient, _ selector: InstanceSelector, permits: Permits
    ) async -> Result<[Instance], BCCError> {
        await withCheckedContinuation { continuation in
            client.listInstances(matching: selector, nextPage: { permits.hook($0) }) { continuation.resume(returning: $0) }
        }
    }

    func testAMultiPageSelectionAgainstTheSimulator() async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        var c = SimulatorConfiguration()
        let ids = SimulatorConfiguration.generateIds(count: 7_200, seed: 26)
        c.fleet = ids.map { ($0, InstanceStatus.running) }
        c.logPath = logPath
        let running = try await BCCSimulator(configuration: c).start()
        defer { Task { try? await running.stop() } }
        let client = BCCClient(
            endpoint: try BCCEndpoint(running.endpoint), credentials: SimulatorConfiguration.demoCredentials,
            transport: try AsyncHTTPClientTransport(maxConnections: 2))

        // role:web goes on the wire (2,400 in zones a and b: three pages); env:prod is checked here.
        let selector = InstanceSelector(
            tags: [InstanceTag(key: "role", value: "web"), InstanceTag(key: "env", value: "prod")], zones: ["cn-bj-a", "cn-bj-b"])
        let permits = Permits()
        let selected = try await select(client, selector, permits: permits).get()

        let expected = ids.indices.filter { i in
            let a = InstanceAttributes.spread(index: i, zones: InstanceAttributes.defaultZones)
            return ["cn-bj-a", "cn-bj-b"].contains(a.zoneName) && a.tags.contains(InstanceTag(key: "role", value: "web"))
                && a.tags.contains(InstanceTag(key: "env", value: "prod"))
        }.map { ids[$0] }
        XCTAssertEqual(expected.count, 1_920)
        XCTAssertEqual(selected.map(\.id), expected, "every selected instance once, in the list call's order")
        XCTAssertTrue(selected.allSatisfy { $0.zoneName != nil && $0.tags?.count == 2 && $0.deploySetIds?.count == 1 })

        let log = try RequestLog.read(path: logPath)
        XCTAssertEqual(log.count, 3, "2,400 listed at 1,000 a page")
        XCTAssertEqual(permits.taken, 2, "every page after the first waited for the hook")
        XCTAssertEqual(log.map(\.filters), Array(repeating: ["zoneName": "cn-bj-a,cn-bj-b", "tags": "role:web"], count: 3))
        XCTAssertEqual(log.map { $0.before.count }, [1000, 1000, 400])
    }

    func testThePrefixIsCheckedHereAndASingleSelectionPageTakesNoPermit() async throws {
        var c = SimulatorConfiguration()
        c.append(try FleetFile.parse("i-1 name=web-1 zone=z\ni-2 name=xweb-2 zone=z\ni-3 name=web-3 zone=y\ni-4 name=db-4 zone=z"))
        let running = try await BCCSimulator(configuration: c).start()
        defer { Task { try? await running.stop() } }
        let client = BCCClient(
            endpoint: try BCCEndpoint(running.endpoint), credentials: SimulatorConfiguration.demoCredentials, transport: URLSessionTransport())
        let permits = Permits()
        let selected = try await select(client, InstanceSelector(namePrefix: "web-"), permits: permits).get()
        XCTAssertEqual(selected.map(\.id), ["i-1", "i-3"], "xweb-2 contains web- (BCC's fuzzy match) but does not start with it")
        XCTAssertEqual(permits.taken, 0)
        let async = try await client.listInstances(matching: InstanceSelector(zones: ["z"], namePrefix: "web-"))
        XCTAssertEqual(async.map(\.id), ["i-1"])
    }

    /// A scripted API that lists three pages and ignores every filter.
    private func scriptedThreePages() -> ScriptedTransport {
        let all = [
            Instance(id: "i-1", name: "web-1", status: .running, zoneName: "a", tags: [InstanceTag(key: "env", value: "prod")]),
            Instance(id: "i-2", name: "web-2", status: .running, zoneName: "b", tags: [InstanceTag(key: "env", value: "prod")]),
            Instance(id: "i-3", name: "web-3", status: .running, zoneName: "a", tags: [InstanceTag(key: "env", value: "dev")]),
            Instance(id: "i-4", name: "web-4", status: .stopped, zoneName: "a", tags: [InstanceTag(key: "env", value: "prod")]),
            Instance(id: "i-5", name: "web-5", status: .running, zoneName: "a", tags: [InstanceTag(key: "env", value: "prod")]),
        ]
        return ScriptedTransport { request in
            let marker = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "marker" }?.value
            let start = marker.flatMap { m in all.firstIndex { $0.id == m } } ?? 0
            let end = min(start + 2, all.count)
            let page = InstanceListPage(
                instances: Array(all[start..<end]), marker: marker, isTruncated: end < all.count,
                nextMarker: end < all.count ? all[end].id : "", maxKeys: 1000)
            return HTTPResponseData(status: 200, headers: [:], body: (try? JSONEncoder().encode(page)) ?? Data())
        }
    }

    func testEachLaterPageGoesOnlyWhenTheHookCallsBack() throws {
        final class Box: @unchecked Sendable {
            var waiting: [@Sendable () -> Void] = []
            var result: Result<[Instance], BCCError>?
        }
        let transport = scriptedThreePages()
        let client = BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"), credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: "sk"),
            transport: transport)
        let box = Box()
        let selector = InstanceSelector(tags: [InstanceTag(key: "env", value: "prod")], zones: ["a"], statuses: [.running])
        client.listInstances(matching: selector, nextPage: { box.waiting.append($0) }, completion: { box.result = $0 })
        func goOn() throws {
            let pending = box.waiting
            box.waiting = []
            XCTAssertEqual(pending.count, 1, "one page asked to go on")
            try XCTUnwrap(pending.first, "no page is waiting")()
        }

        XCTAssertEqual(transport.requests.count, 1, "the first page goes at once")
        XCTAssertNil(box.result)
        let query = try XCTUnwrap(transport.requests[0].url.query)
        XCTAssertEqual(query, "maxKeys=1000&zoneName=a&tags=env%3Aprod&status=Running")
        try goOn()
        XCTAssertEqual(transport.requests.count, 2)
        XCTAssertNil(box.result)
        try goOn()
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertTrue(box.waiting.isEmpty, "the last page asks for no more")
        XCTAssertEqual(
            try box.result?.get().map(\.id), ["i-1", "i-5"], "an API that ignored the filters does not widen the selection")
        XCTAssertTrue(transport.requests[2].url.query?.contains("marker=i-5") ?? false)
    }

    func testASelectorWithProblemsFailsWithoutACall() throws {
        let transport = scriptedThreePages()
        let client = BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"), credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: "sk"),
            transport: transport)
        final class Box: @unchecked Sendable { var result: Result<[Instance], BCCError>? }
        let box = Box()
        client.listInstances(matching: InstanceSelector(statuses: [.running]), completion: { box.result = $0 })
        guard case .failure(let error) = box.result else { return XCTFail("a selector of the whole account must be refused") }
        XCTAssertEqual(error.code, "InvalidSelector")
        XCTAssertEqual(transport.requests.count, 0)
    }
}
