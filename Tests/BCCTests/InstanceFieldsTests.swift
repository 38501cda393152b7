import BCC
import Foundation
import XCTest

/// `Instance` reads the optional zone, tags and deploy sets the list call carries (SPEC §1), in
/// BCC's spellings, and leaves them out when the answer did.
final class InstanceFieldsTests: XCTestCase {
    private func decode(_ json: String) throws -> Instance {
        try JSONDecoder().decode(Instance.self, from: Data(json.utf8))
    }

    func testZoneTagsAndDeploySetIds() throws {
        let i = try decode(
            """
            {"id": "i-1", "name": "web-01", "status": "Running", "zoneName": "cn-bj-a",
             "tags": [{"tagKey": "env", "tagValue": "prod"}, {"tagKey": "owner"}, {"tagKey": "x", "tagValue": null}],
             "deploySetIds": ["dset-1", "dset-2"], "cpuCount": 4}
            """)
        XCTAssertEqual(i.zoneName, "cn-bj-a")
        XCTAssertEqual(
            i.tags, [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "owner", value: ""), InstanceTag(key: "x", value: "")])
        XCTAssertEqual(i.deploySetIds, ["dset-1", "dset-2"])
    }

    func testASingleDeploySetIdInEverySpellingAndTheSDKsList() throws {
        XCTAssertEqual(try decode(#"{"id": "i-1", "status": "Running", "deploySetId": "dset-1"}"#).deploySetIds, ["dset-1"])
        XCTAssertEqual(try decode(#"{"id": "i-1", "status": "Running", "deploysetId": "dset-1"}"#).deploySetIds, ["dset-1"])
        XCTAssertEqual(try decode(#"{"id": "i-1", "status": "Running", "deploysetId": ""}"#).deploySetIds, nil, "an empty id is none")
        let merged = try decode(
            """
            {"id": "i-1", "status": "Running", "deploySetIds": ["dset-1"], "deploySetId": "dset-1", "deploysetId": "dset-2",
             "deploysetList": [{"deploysetId": "dset-2", "strategy": "HOST_HA"}, {"deploysetId": "dset-3"}, {"name": "no id"}]}
            """)
        XCTAssertEqual(merged.deploySetIds, ["dset-1", "dset-2", "dset-3"], "merged in order, each once")
        XCTAssertEqual(try decode(#"{"id": "i-1", "status": "Running", "deploySetIds": []}"#).deploySetIds, [])
    }

    func testAbsentFieldsStayAbsentBothWays() throws {
        let bare = try decode(#"{"id": "i-1", "status": "Stopped"}"#)
        XCTAssertEqual(bare, Instance(id: "i-1", status: .stopped))
        XCTAssertNil(bare.zoneName)
        XCTAssertNil(bare.tags)
        XCTAssertNil(bare.deploySetIds)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(bare)) as? [String: Any]
        XCTAssertEqual(encoded?.keys.sorted(), ["id", "status"])

        let full = Instance(
            id: "i-2", name: "n", status: .running, zoneName: "z", tags: [InstanceTag(key: "k", value: "v")], deploySetIds: ["d"])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? [String: Any]
        XCTAssertEqual(json?.keys.sorted(), ["deploySetIds", "id", "name", "status", "tags", "zoneName"])
        XCTAssertEqual(json?["tags"] as? [[String: String]], [["tagKey": "k", "tagValue": "v"]])
        XCTAssertEqual(try JSONDecoder().decode(Instance.self, from: JSONEncoder().encode(full)), full)
    }

    func testAnInstanceWithoutIdOrStatusIsNotDecoded() {
        XCTAssertThrowsError(try decode(#"{"id": "i-1", "zoneName": "z"}"#))
        XCTAssertThrowsError(try decode(#"{"status": "Running"}"#))
    }
}
