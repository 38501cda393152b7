import BCC
import XCTest

/// `InstanceSelector`: its list-call query, what it refuses, and the check on our side that
/// narrows what the API lists (all tags, the name prefix, every field again).
final class InstanceSelectorTests: XCTestCase {
    let prodWeb = [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "role", value: "web")]

    private func pairs(_ s: InstanceSelector) -> [String] { s.query.map { "\($0.name)=\($0.value)" } }

    func testTagsParse() {
        XCTAssertEqual(InstanceTag(parsing: "env:prod"), InstanceTag(key: "env", value: "prod"))
        XCTAssertEqual(InstanceTag(parsing: "url:http://x:80"), InstanceTag(key: "url", value: "http://x:80"))
        XCTAssertEqual(InstanceTag(parsing: "env:"), InstanceTag(key: "env", value: ""))
        XCTAssertNil(InstanceTag(parsing: "env"))
        XCTAssertNil(InstanceTag(parsing: ":prod"))
        XCTAssertEqual(InstanceTag(key: "env", value: "prod").description, "env:prod")
    }

    func testTheQuerySendsTheFirstTagAndThePrefixAsAFuzzyName() {
        let s = InstanceSelector(
            tags: prodWeb, zones: ["cn-bj-a", "cn-bj-b"], deploySets: ["dset-1"], namePrefix: "web-", statuses: [.running, .stopped])
        XCTAssertEqual(
            pairs(s), ["zoneName=cn-bj-a,cn-bj-b", "tags=env:prod", "deploySetIds=dset-1", "fuzzyInstanceName=web-", "status=Running,Stopped"])
        XCTAssertEqual(
            pairs(InstanceSelector(namePrefix: "web-", instanceNames: ["web-1", "web-2"])), ["instanceNames=web-1,web-2"],
            "BCC refuses fuzzyInstanceName with instanceNames: the prefix is checked on our side only")
        XCTAssertEqual(pairs(InstanceSelector(zones: ["cn-bj-c"])), ["zoneName=cn-bj-c"])
    }

    func testProblems() {
        XCTAssertEqual(InstanceSelector(tags: prodWeb).problems, [])
        XCTAssertEqual(InstanceSelector().problems.count, 1, "nothing narrower than the whole account")
        XCTAssertEqual(InstanceSelector(statuses: [.running]).problems.count, 1, "a status alone selects the whole account")
        XCTAssertEqual(InstanceSelector(zones: ["a,b"]).problems, ["zones value \"a,b\" contains a comma, which the list call cannot carry"])
        XCTAssertEqual(InstanceSelector(tags: [InstanceTag(key: "k", value: "a,b")]).problems.count, 1)
        XCTAssertEqual(InstanceSelector(tags: [InstanceTag(key: "", value: "v")]).problems, ["tag \":v\" has an empty key"])
        XCTAssertEqual(InstanceSelector(deploySets: [""]).problems, ["deploySets has an empty value"])
        XCTAssertEqual(InstanceSelector(namePrefix: "").problems, ["namePrefix is empty"])
        XCTAssertEqual(
            InstanceSelector(instanceNames: (0...100).map { "n\($0)" }).problems, ["instanceNames has 101 values; the list call takes at most 100"])
    }

    func testMatchesChecksEveryTagThePrefixAndEveryOtherField() {
        let web = Instance(
            id: "i-1", name: "web-01", status: .running, zoneName: "cn-bj-a", tags: prodWeb + [InstanceTag(key: "x", value: "y")],
            deploySetIds: ["dset-2", "dset-1"])
        XCTAssertTrue(InstanceSelector(tags: prodWeb).matches(web))
        XCTAssertFalse(InstanceSelector(tags: prodWeb + [InstanceTag(key: "team", value: "a")]).matches(web), "every tag must be carried")
        XCTAssertFalse(InstanceSelector(tags: [InstanceTag(key: "env", value: "pro")]).matches(web))
        XCTAssertTrue(InstanceSelector(namePrefix: "web-").matches(web))
        XCTAssertFalse(InstanceSelector(namePrefix: "eb-").matches(web), "a fuzzy (substring) match is not a prefix")
        XCTAssertTrue(InstanceSelector(zones: ["cn-bj-b", "cn-bj-a"]).matches(web))
        XCTAssertFalse(InstanceSelector(zones: ["cn-bj-b"]).matches(web))
        XCTAssertTrue(InstanceSelector(deploySets: ["dset-1", "dset-9"]).matches(web))
        XCTAssertFalse(InstanceSelector(deploySets: ["dset-9"]).matches(web))
        XCTAssertTrue(InstanceSelector(instanceNames: ["web-01"]).matches(web))
        XCTAssertFalse(InstanceSelector(instanceNames: ["web-0"]).matches(web))
        XCTAssertFalse(InstanceSelector(zones: ["cn-bj-a"], statuses: [.stopped]).matches(web))
        XCTAssertTrue(InstanceSelector(tags: prodWeb, zones: ["cn-bj-a"], namePrefix: "web", statuses: [.running]).matches(web))

        let silent = Instance(id: "i-2", status: .running)
        XCTAssertFalse(InstanceSelector(tags: prodWeb).matches(silent), "an answer without tags selects nothing by tag")
        XCTAssertFalse(InstanceSelector(zones: ["cn-bj-a"]).matches(silent))
        XCTAssertFalse(InstanceSelector(deploySets: ["dset-1"]).matches(silent))
        XCTAssertFalse(InstanceSelector(namePrefix: "web").matches(silent))
    }
}
