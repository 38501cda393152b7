import BCC
import Foundation
import XCTest

@testable import BCCSimulator

/// The list call's filters on the fleet, without HTTP: different fields AND, values of one field
/// OR, unknown values select nothing, and what BCC refuses is refused.
final class ListFilterTests: XCTestCase {
    let fleet: SimulatedFleet = {
        var c = SimulatorConfiguration()
        c.append(
            try! FleetFile.parse(
                """
                i-1 zone=a tag=env:prod tag=role:web deploySet=d1 name=web-1
                i-2 zone=b tag=env:prod tag=role:db deploySet=d2 name=db-2
                i-3 zone=c tag=env:staging tag=role:web deploySet=d1 name=web-3
                i-4 zone=a tag=env:staging tag=role:db name=db-4
                i-5 Stopped zone=b tag=env:prod tag=role:web deploySet=d2 name=web-5
                i-6 name=bare
                """))
        c.stuck = ["i-5"]
        return SimulatedFleet(configuration: c)
    }()

    private func ids(_ params: [String: String], among candidates: [String]? = nil, line: UInt = #line) -> [String] {
        guard case .success(let filter) = ListFilter.parse(params) else {
            XCTFail("\(params) was refused", line: line)
            return []
        }
        return fleet.page(candidates: candidates, filter: filter, marker: nil, limit: 1000)?.instances.map(\.id) ?? []
    }

    func testOneFieldORsItsValues() {
        XCTAssertEqual(ids([:]), ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6"])
        XCTAssertEqual(ids(["zoneName": "a"]), ["i-1", "i-4"])
        XCTAssertEqual(ids(["zoneName": "a,b"]), ["i-1", "i-2", "i-4", "i-5"])
        XCTAssertEqual(ids(["tags": "role:web"]), ["i-1", "i-3", "i-5"])
        XCTAssertEqual(ids(["tags": "role:web,env:staging"]), ["i-1", "i-3", "i-4", "i-5"])
        XCTAssertEqual(ids(["tags": "role"]), ["i-1", "i-2", "i-3", "i-4", "i-5"], "a bare key matches the key with any value")
        XCTAssertEqual(ids(["deploySetIds": "d1"]), ["i-1", "i-3"])
        XCTAssertEqual(ids(["deploySetIds": "d1,d2"]), ["i-1", "i-2", "i-3", "i-5"])
        XCTAssertEqual(ids(["instanceNames": "web-1,db-4"]), ["i-1", "i-4"])
        XCTAssertEqual(ids(["fuzzyInstanceName": "eb"]), ["i-1", "i-3", "i-5"], "a substring of the name")
        XCTAssertEqual(ids(["status": "Stopped"]), ["i-5"])
        XCTAssertEqual(ids(["status": "Running,Stopped"]), ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6"])
        XCTAssertEqual(ids(["zoneName": "", "tags": ""]), ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6"], "an empty parameter is no filter")
    }

    func testDifferentFieldsAND() {
        XCTAssertEqual(ids(["zoneName": "a", "tags": "role:web"]), ["i-1"])
        XCTAssertEqual(ids(["zoneName": "a,b", "tags": "role:web,env:staging"]), ["i-1", "i-4", "i-5"])
        XCTAssertEqual(ids(["deploySetIds": "d1,d2", "zoneName": "b"]), ["i-2", "i-5"])
        XCTAssertEqual(ids(["status": "Running", "tags": "role:web"]), ["i-1", "i-3"])
        XCTAssertEqual(ids(["zoneName": "b", "status": "Running", "deploySetIds": "d2"]), ["i-2"])
        XCTAssertEqual(ids(["fuzzyInstanceName": "web", "zoneName": "c,b"]), ["i-3", "i-5"])
        XCTAssertEqual(ids(["tags": "role:web"], among: ["i-5", "i-9", "i-1", "i-2"]), ["i-5", "i-1"], "instanceIds AND tags, in the order asked")
    }

    func testUnknownValuesSelectNothing() {
        for params in [
            ["zoneName": "nowhere"], ["tags": "env:nope"], ["tags": "nokey"], ["deploySetIds": "dset-x"], ["instanceNames": "ghost"],
            ["fuzzyInstanceName": "WEB"], ["status": "Bogus"], ["zoneName": "a", "tags": "env:nope"],
        ] {
            XCTAssertEqual(ids(params), [], "\(params)")
        }
    }

    func testWhatBCCRefusesIsRefused() {
        XCTAssertEqual(
            ListFilter.parse(["instanceNames": "web-1", "fuzzyInstanceName": "web"]),
            .failure(ListFilterError(message: "instanceNames and fuzzyInstanceName cannot be given together")))
        let many = (1...101).map { "d\($0)" }.joined(separator: ",")
        XCTAssertEqual(ListFilter.parse(["deploySetIds": many]), .failure(ListFilterError(message: "at most 100 deploySetIds per call")))
        XCTAssertEqual(ListFilter.parse(["instanceNames": many]), .failure(ListFilterError(message: "at most 100 instanceNames per call")))
    }

    func testPagesFollowTheMarkerInFleetOrder() throws {
        let filter = try ListFilter.parse(["tags": "role:web,role:db"]).get()
        let first = try XCTUnwrap(fleet.page(candidates: nil, filter: filter, marker: nil, limit: 2))
        XCTAssertEqual(first.instances.map(\.id), ["i-1", "i-2"])
        XCTAssertEqual(first.next, "i-3")
        let second = try XCTUnwrap(fleet.page(candidates: nil, filter: filter, marker: first.next, limit: 2))
        XCTAssertEqual(second.instances.map(\.id), ["i-3", "i-4"])
        let third = try XCTUnwrap(fleet.page(candidates: nil, filter: filter, marker: second.next, limit: 2))
        XCTAssertEqual(third.instances.map(\.id), ["i-5"])
        XCTAssertNil(third.next, "the last page names no next one")
        XCTAssertNil(fleet.page(candidates: nil, filter: filter, marker: "i-nope", limit: 2), "an unknown marker")
    }
}
