import Foundation
import XCTest

@testable import RebootCore

/// `select`, `zones`, `pauseBetweenZones` and `checkpoints` as the parser reads them (SPEC §2):
/// the same verdict for `rebootctl validate` and the daemon, every problem by its key path.
final class SelectionParserTests: XCTestCase {
    func parse(_ text: String) throws(ValidationError) -> Plan { try PlanParser().parse(text, fileName: "p.yaml", format: .yaml) }

    func problems(_ text: String) -> [String] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.problems.map { "\($0.path): \($0.message)" }
        }
    }

    func testASelectAloneIsAPlanAndItsBatchesWaitForTheStart() throws {
        let plan = try parse(
            "batchSize: 2\nselect: { tags: [\"env:prod\", \"role:web\"], zones: [cn-bj-a], deploySets: [dset-1], namePrefix: web- }\n"
                + "zones: one-at-a-time\npauseBetweenZones: 10m\ncheckpoints: [1, 3]\n")
        XCTAssertEqual(plan.instances, [])
        XCTAssertEqual(plan.select, PlanSelection(tags: ["env:prod", "role:web"], zones: ["cn-bj-a"], deploySets: ["dset-1"], namePrefix: "web-"))
        XCTAssertEqual(plan.zones, .oneAtATime)
        XCTAssertEqual(plan.pauseBetweenZones, 600)
        XCTAssertEqual(plan.checkpoints, [1, 3], "not checked against a layout that is not known yet")
        XCTAssertTrue(plan.needsResolution)
        XCTAssertEqual(plan.select?.selector.tags.map(\.description).sorted(), ["env:prod", "role:web"])
    }

    func testNeitherInstancesNorSelectNamesWhatToAdd() {
        XCTAssertEqual(
            problems("batchSize: 1\n"),
            ["instances: is required, or select: a list of instance ids like i-YufwpQAe, or a query by tag and zone"])
    }

    func testBadSelectorsAreRefusedByTheirPath() {
        let bad = problems(
            "batchSize: 1\nselect: { tags: [\"envprod\", \"a:b\", \"a:b\"], zones: [], deploySets: [\"x y\"], namePrefix: \"\", owner: me }\n")
        XCTAssertTrue(bad.contains { $0.hasPrefix("select: unknown key") || $0.hasPrefix("select.owner") }, "\(bad)")
        XCTAssertTrue(bad.contains("select.tags[0]: must be a tag key:value like env:prod, got \"envprod\""), "\(bad)")
        XCTAssertTrue(bad.contains("select.tags[2]: \"a:b\" is listed twice"), "\(bad)")
        XCTAssertTrue(bad.contains("select.zones: must be a non-empty list, each a zone name like cn-bj-a"), "\(bad)")
        XCTAssertTrue(bad.contains { $0.hasPrefix("select.deploySets[0]: must be a deploy set id") }, "\(bad)")
        XCTAssertTrue(bad.contains("select.namePrefix: must be 1 to 64 characters, without commas or line breaks"), "\(bad)")
        XCTAssertEqual(problems("batchSize: 1\nselect: {}\n"), ["select: must give at least one of tags, zones, deploySets, namePrefix"])
    }

    func testZonesAndCheckpointsAreChecked() {
        XCTAssertEqual(
            problems("batchSize: 1\ninstances: [i-a]\nzones: by-zone\n"), ["zones: must be mixed or one-at-a-time, got \"by-zone\""])
        // Three instances, two a batch: two batches; a checkpoint after the last holds nothing.
        let base = "batchSize: 2\ninstances: [i-a, i-b, i-c]\n"
        XCTAssertEqual(problems(base + "checkpoints: [2]\n"), ["checkpoints[0]: batch 2 is the last: a checkpoint after it would hold nothing"])
        XCTAssertEqual(problems(base + "checkpoints: [5]\n"), ["checkpoints[0]: batch 5 is past the plan's 2 batches"])
        XCTAssertEqual(problems(base + "checkpoints: []\n"), ["checkpoints: must be a non-empty list of batch numbers (1-based), like [1]"])
        XCTAssertEqual(
            problems("batchSize: 1\ninstances: [i-a, i-b, i-c, i-d]\ncheckpoints: [2, 1]\n"),
            ["checkpoints[1]: must be after 2: list the batches in ascending order, each once"])
        XCTAssertEqual(problems(base + "checkpoints: [1]\n"), [])
    }

    func testAJournaledPlanFromBeforeTheseKeysDecodesAsBefore() throws {
        let old =
            #"{"name":"p","instances":["i-a"],"batchSize":{"fixed":{"_0":{"count":{"_0":1}}}},"forceStop":false,"#
            + #""pauseBetweenBatches":0,"maxFailures":{"count":{"_0":0}},"rebootTimeout":600,"#
            + #""conflictRetry":{"maxAttempts":10,"timeout":1800},"dryRun":false}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(old.utf8))
        XCTAssertNil(plan.select)
        XCTAssertNil(plan.zones)
        XCTAssertFalse(plan.needsResolution)
    }
}
