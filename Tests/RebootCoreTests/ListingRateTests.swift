import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// SPEC §4.2 (issue 23 #7) through the scheduler and the real client: every page of a listing
/// takes a token. A server that keeps answering `isTruncated` got 1,763 calls a second against
/// a limit of 25, and the poll never returned.
final class ListingRateTests: XCTestCase {
    func testEveryPageOfAnEndlessListingTakesARateLimiterToken() throws {
        let clock = ManualClock()
        let transport = ScriptedTransport.endlessListing([Instance(id: "i-0001", status: .running)])
        let client = BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"),
            credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: "sk"), transport: transport)
        let api = BCCCloudAPI(client: client)
        let journal = try SQLiteJournal()
        let scheduler = Scheduler(
            journal: journal, settings: SchedulerSettings(requestsPerSecond: 5, burst: 1, pollInterval: 1),
            clock: clock, random: { 0.5 }, api: { _ in api })
        try scheduler.start()
        let plan = SchedulerHarness.plan(["i-0001"], batch: .fixed(.count(1)))
        let data = try JSONEncoder().encode(plan)
        _ = try scheduler.submit(
            PlanFile(
                path: "/x/list.json", fileName: "list.json", format: .json, plan: plan,
                sha256: PlanFile.sha256Hex(data), data: data, owner: FileOwner(uid: 0, name: "root"))
        ).get()
        for _ in 0..<100 {
            clock.advance(by: 0.1)
            scheduler.drain()
        }
        let calls = transport.requests.count
        // 10 s at 5 calls a second, plus the burst of 1: every page was a call.
        XCTAssertLessThanOrEqual(calls, 5 * 10 + 1 + 1, "pages went out past the rate limit: \(calls) calls in 10 s")
        XCTAssertGreaterThanOrEqual(calls, 40, "the limiter's allowance is used (else the test proves nothing): \(calls)")
    }
}
