import BCC
import Foundation
import XCTest

@testable import BCCSimulator

/// The fleet file's attribute fields, the format before them still read as it was, and the
/// spread the other instances get.
final class FleetFileTests: XCTestCase {
    func testTheFormatBeforeAttributesReadsAsItDid() throws {
        let text = "# a comment\ni-aaa\n\ni-bbb Stopped   # trailing comment\ni-ccc,Starting\n\ti-ddd\tError extra words\r\n"
        let entries = try FleetFile.parse(text)
        XCTAssertEqual(entries.map(\.id), ["i-aaa", "i-bbb", "i-ccc", "i-ddd"])
        XCTAssertEqual(entries.map(\.status), [.running, .stopped, .starting, .error])
        XCTAssertEqual(entries.map(\.attributes), [nil, nil, nil, nil], "no key=value field: the spread applies")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID()).txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = try SimulatorConfiguration.loadFleet(path: path)
        XCTAssertEqual(old.map(\.id), ["i-aaa", "i-bbb", "i-ccc", "i-ddd"])
        XCTAssertEqual(old.map(\.status), [.running, .stopped, .starting, .error])
    }

    func testAttributeFields() throws {
        let entries = try FleetFile.parse(
            """
            i-web1 zone=cn-bj-b tag=env:prod tag=role:web,deploySet=dset-1 deploySet=dset-2 name=web-01
            i-db1 Stopped tag=env:prod tag=owner tag=url:http://x:8080 zone=cn-bj-c
            """)
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries[0].status, .running)
        XCTAssertEqual(
            entries[0].attributes,
            InstanceAttributes(
                name: "web-01", zoneName: "cn-bj-b", tags: [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "role", value: "web")],
                deploySetIds: ["dset-1", "dset-2"]))
        XCTAssertEqual(entries[1].status, .stopped)
        XCTAssertEqual(
            entries[1].attributes,
            InstanceAttributes(
                name: "sim-i-db1", zoneName: "cn-bj-c",
                tags: [
                    InstanceTag(key: "env", value: "prod"), InstanceTag(key: "owner", value: ""), InstanceTag(key: "url", value: "http://x:8080"),
                ],
                deploySetIds: []),
            "a line with attributes has exactly those; the name defaults to sim-ID; a value splits at its first colon")
    }

    func testBadAttributeFieldsNameTheLine() {
        let cases: [(String, String)] = [
            ("i-a\ni-b zon=cn-bj-a", "line 2: unknown field zon="),
            ("i-a zone=", "line 1: zone= has no value"),
            ("i-a zone=x zone=y", "line 1: zone= is given twice"),
            ("i-a\n\ni-c tag=:v", "line 3: tag=:v has an empty key"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try FleetFile.parse(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should say \(expected)")
            }
        }
    }

    func testTheSpreadPutsRowsOfOneInstancePerZone() {
        let zones = InstanceAttributes.defaultZones
        let spread = (0..<15).map { InstanceAttributes.spread(index: $0, zones: zones) }
        XCTAssertEqual(spread.prefix(6).map(\.zoneName), ["cn-bj-a", "cn-bj-b", "cn-bj-c", "cn-bj-a", "cn-bj-b", "cn-bj-c"])
        XCTAssertEqual(
            spread.prefix(6).map(\.deploySetIds),
            [["dset-cn-bj-a"], ["dset-cn-bj-b"], ["dset-cn-bj-c"], ["dset-cn-bj-a"], ["dset-cn-bj-b"], ["dset-cn-bj-c"]])
        XCTAssertEqual(spread.map(\.name).prefix(4), ["web-00001", "web-00002", "web-00003", "db-00004"])
        XCTAssertEqual(spread[0].tags, [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "role", value: "web")])
        XCTAssertEqual(spread[3].tags, [InstanceTag(key: "env", value: "prod"), InstanceTag(key: "role", value: "db")])
        XCTAssertEqual(spread[12].tags, [InstanceTag(key: "env", value: "staging"), InstanceTag(key: "role", value: "web")], "row 4 is staging")
        XCTAssertEqual(InstanceAttributes.spread(index: 123_455, zones: zones).name, "db-123456")
        XCTAssertEqual(InstanceAttributes.spread(index: 4, zones: []).zoneName, nil)
        XCTAssertEqual(InstanceAttributes.spread(index: 4, zones: []).deploySetIds, [])
    }

    func testTheFleetUsesGivenAttributesAndSpreadsTheRest() {
        var c = SimulatorConfiguration()
        c.zones = ["z1", "z2"]
        c.append([
            FleetEntry(id: "i-a"), FleetEntry(id: "i-b", status: .stopped, attributes: InstanceAttributes(name: "given", zoneName: "z9")),
            FleetEntry(id: "i-c"),
        ])
        let fleet = SimulatedFleet(configuration: c)
        XCTAssertEqual(fleet.order, ["i-a", "i-b", "i-c"])
        XCTAssertEqual(fleet.status("i-b"), .stopped)
        XCTAssertEqual(fleet.attributes("i-a"), InstanceAttributes.spread(index: 0, zones: ["z1", "z2"]))
        XCTAssertEqual(fleet.attributes("i-b"), InstanceAttributes(name: "given", zoneName: "z9"))
        XCTAssertEqual(fleet.attributes("i-c")?.zoneName, "z1", "the spread goes by position in the fleet")
        XCTAssertNil(fleet.attributes("i-zzz"))
    }
}
