import BCC
import Foundation
import XCTest

@testable import RebootCore

/// `PlanResolution` alone (SPEC §2, issue 26): what a plan learns when it starts, without a
/// queue, a clock or I/O.
final class PlanResolutionTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_000)
    let retry = RebootdConfig.Retry(maxAttempts: 3, baseDelay: 1, maxDelay: 10)
    let record = PlanRecord(
        id: "p", name: "p", sourceFile: "p.yaml", format: "yaml", sha256: "x", submitterUid: 0, submitterName: "root",
        submittedAt: "", state: "queued", parameters: "", instanceCount: 0, batchCount: 0, currentBatch: -1,
        updatedAt: "", finishedAt: nil, reason: nil)

    func inst(_ id: String, _ zone: String?) -> Instance { Instance(id: id, status: .running, zoneName: zone) }

    func plan(_ ids: [String], select: PlanSelection? = nil, zones: ZoneRolling? = nil, batch: Int = 2) -> Plan {
        var p = Plan(name: "p", instances: ids, batchSize: .fixed(.count(batch)))
        p.select = select
        p.zones = zones
        return p
    }

    func testTheListedIdsFollowTheFilesInTheListingsOrderEachOnce() throws {
        var r = PlanResolution(plan: plan(["i-b", "i-x"], select: PlanSelection(tags: ["env:prod"])), record: record)
        let call = try XCTUnwrap(r.nextCall(now: t0))
        guard case .list(let selector) = call else { return XCTFail("\(call)") }
        XCTAssertEqual(selector.tags, [InstanceTag(key: "env", value: "prod")])
        XCTAssertNil(r.nextCall(now: t0), "one listing (its pages are the client's)")
        XCTAssertFalse(r.isDone)
        r.answered(call, .success([inst("i-a", "z1"), inst("i-b", "z2"), inst("i-c", "z1")]), now: t0, retry: retry, random: 0.5)
        XCTAssertTrue(r.isDone)
        guard case .resolved(let p, let detail) = r.outcome else { return XCTFail("\(r.outcome)") }
        XCTAssertEqual(p.instances, ["i-b", "i-x", "i-a", "i-c"], "the file's first, then the listing's new ones")
        XCTAssertEqual(p.instanceZones, ["z2", "", "z1", "z1"], "i-x was not listed: its zone is unknown")
        XCTAssertEqual(p.layout.sizes, [2, 2], "mixed: zones do not cut batches")
        XCTAssertTrue(detail.hasPrefix("select matched 3; 4 instances in 2 zones"), detail)
        XCTAssertTrue(detail.contains("(select: tags env:prod)"), detail)
    }

    func testOneAtATimeGroupsByZoneInTheOrderZonesFirstAppearAndCutsBatchesAtEachZone() throws {
        let ids = ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6"]
        var r = PlanResolution(plan: plan(ids, zones: .oneAtATime, batch: 2), record: record)
        let call = try XCTUnwrap(r.nextCall(now: t0))
        XCTAssertEqual(call, .describe(ids), "the zones of the listed ids, 100 a call")
        r.answered(
            call, .success([inst("i-1", "b"), inst("i-2", "a"), inst("i-3", "b"), inst("i-5", "a"), inst("i-6", "c")]), now: t0, retry: retry,
            random: 0.5)
        guard case .resolved(let p, _) = r.outcome else { return XCTFail("\(r.outcome)") }
        XCTAssertEqual(p.instances, ["i-1", "i-3", "i-2", "i-5", "i-6", "i-4"], "b first (i-1), then a, then c; the unknown i-4 last")
        XCTAssertEqual(p.instanceZones, ["b", "b", "a", "a", "c", ""])
        XCTAssertEqual(p.layout.batches, [0..<2, 2..<4, 4..<5, 5..<6], "no batch crosses a zone")
        XCTAssertFalse(p.needsResolution, "resolved once: a restart does not ask again")
    }

    func testTwoHundredAndOneIdsAreReadInThreeCalls() {
        let ids = (0..<201).map { "i-\($0)" }
        var r = PlanResolution(plan: plan(ids, zones: .oneAtATime), record: record)
        var sizes: [Int] = []
        while let call = r.nextCall(now: t0) { if case .describe(let chunk) = call { sizes.append(chunk.count) } }
        XCTAssertEqual(sizes, [100, 100, 1])
        XCTAssertEqual(r.outstanding, 3)
    }

    func testAnEmptySelectionFailsThePlanWithTheQuery() throws {
        var r = PlanResolution(plan: plan([], select: PlanSelection(tags: ["env:prod"], zones: ["z9"])), record: record)
        let call = try XCTUnwrap(r.nextCall(now: t0))
        r.answered(call, .success([]), now: t0, retry: retry, random: 0.5)
        XCTAssertEqual(r.outcome, .failed("select matched no instance (select: tags env:prod; zones z9)"))
    }

    func testAReadThatFailsGoesAgainAfterABackoffAndAnInstanceErrorFailsThePlan() throws {
        var r = PlanResolution(plan: plan([], select: PlanSelection(tags: ["env:prod"])), record: record)
        var call = try XCTUnwrap(r.nextCall(now: t0))
        r.answered(call, .failure(BCCError(httpStatus: 503, code: "ServiceUnavailable", message: "busy")), now: t0, retry: retry, random: 0.5)
        XCTAssertFalse(r.isDone)
        XCTAssertNil(r.nextCall(now: t0), "not before the backoff")
        XCTAssertEqual(r.notBefore, t0 + 0.5, "full jitter of the first retry's 1 s")
        call = try XCTUnwrap(r.nextCall(now: t0 + 1))
        r.answered(call, .failure(BCCError(httpStatus: 429, code: "RequestLimitExceeded", message: "slow")), now: t0 + 1, retry: retry, random: 0)
        XCTAssertEqual(r.failures, 1, "throttling is not counted")
        call = try XCTUnwrap(r.nextCall(now: t0 + 2))
        r.answered(call, .failure(BCCError(httpStatus: 400, code: "InvalidParameter", message: "bad tag")), now: t0 + 2, retry: retry, random: 0)
        XCTAssertTrue(r.isDone)
        XCTAssertEqual(r.outcome, .failed("the list call for select failed: InvalidParameter: bad tag"))
    }

    func testTooManyTransientFailuresFailThePlan() throws {
        var r = PlanResolution(plan: plan(["i-1"], zones: .oneAtATime), record: record)
        for n in 0..<3 {
            let call = try XCTUnwrap(r.nextCall(now: t0 + Double(n) * 100))
            r.answered(call, .failure(BCCError(httpStatus: 500, code: "InternalError", message: "x")), now: t0, retry: retry, random: 0)
        }
        XCTAssertEqual(r.outcome, .failed("the read of the instances' zones failed: InternalError: x"))
    }

    /// 100,000 batches of one in one zone: the zone's end is found once, not per batch (a scan
    /// per batch made this quadratic: it would not finish).
    func testALayoutByZoneOfAHundredThousandBatches() {
        let layout = BatchLayout(zones: Array(repeating: "a", count: 50_000) + Array(repeating: "b", count: 50_000), batchSize: .fixed(.count(1)))
        XCTAssertEqual(layout.batches.count, 100_000)
        XCTAssertEqual(layout.batches[49_999], 49_999..<50_000)
    }

    func testLayoutByZoneCarriesTheStepListAcrossZones() {
        let layout = BatchLayout(zones: ["a", "a", "a", "b", "b", "b", "b", "b"], batchSize: .list([.count(1), .count(3)]))
        XCTAssertEqual(layout.batches, [0..<1, 1..<3, 3..<6, 6..<8], "canary 1 in the first zone, then up to 3, cut at the zone's end")
    }
}
