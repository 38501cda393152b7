import Foundation
import XCTest
import Yams

@testable import RebootCore

/// `DataComposer` builds plans and the config from libyaml's events instead of Yams' node graph
/// (issue 10: a 100,000-id plan in a fraction of the memory). What a value means must not
/// change: types resolve as Yams resolved them, and a repeated key is still refused.
final class DataNodeTests: XCTestCase {
    static let texts = [
        "yes", "Yes", "NO", "on", "Off", "true", "FALSE", "y", "n", "0", "-7", "+12", "0x1F", "0o17", "017",
        "0b101", "1_000", "1:30", "190:20:30", "1.5", "-2.5e3", ".inf", "-.Inf", ".nan", "1:30.5", "~", "null",
        "Null", "NULL", "nil", "<<", "=", "2026-11-28", "2026-11-28 01:02:03", "2026-1-2T3:04:05Z", "25%",
        "i-abc", "01:00", "abc def", "0.", "._1", "-", "+", "0x", "1__2", "1:60", "Yes!", "ON ", "", "'q'",
    ]

    func composed(_ text: String) throws -> DataNode {
        let result = DataComposer.compose(text)
        guard case .success(let node?) = result else {
            XCTFail("did not compose: \(text.debugDescription): \(result)")
            throw CocoaError(.coderReadCorrupt)
        }
        return node
    }

    /// Every plain text above, and the same text quoted, has the type Yams gives it.
    func testTypesResolveAsYamsResolvesThem() throws {
        for text in Self.texts {
            for quoted in [false, true] {
                let source = quoted ? "v: \"\(text)\"\n" : "v: \(text)\n"
                guard YAMLDataGuard.check(source).isEmpty, let yams = try Yams.compose(yaml: source)?.mapping?["v"] else { continue }
                let ours = try XCTUnwrap(try composed(source).mapping?.first?.value, source)
                XCTAssertEqual(ours.tag, Resolver.default.resolveTag(of: yams), "type of \(source.debugDescription)")
                XCTAssertEqual(ours.string, yams.string, "text of \(source.debugDescription)")
                XCTAssertEqual(ours.isNull, Resolver.default.resolveTag(of: yams) == .null, "null of \(source.debugDescription)")
                XCTAssertEqual(ours.bool, Resolver.default.resolveTag(of: yams) == .bool ? yams.bool : nil, "bool of \(source.debugDescription)")
                XCTAssertEqual(ours.line, yams.mark?.line)
                XCTAssertEqual(ours.column, yams.mark?.column)
            }
        }
    }

    /// The types the plan and config readers depend on, written out (not asked of Yams).
    func testTheTypesThePlanReaderNeeds() throws {
        let expected: [(String, Tag.Name)] = [
            ("yes", .bool), ("Off", .bool), ("0x1F", .int), ("017", .int), ("1:30", .int), ("1_000", .int), ("-7", .int),
            ("1.5", .float), (".inf", .float), ("~", .null), ("null", .null), ("", .null), ("2026-11-28", .timestamp),
            ("25%", .str), ("i-abc", .str), ("\"12\"", .str), ("'yes'", .str), ("\"~\"", .str), ("|\n  12", .str),
        ]
        for (text, tag) in expected {
            let node = try XCTUnwrap(try composed("v: \(text)\n").mapping?.first?.value, text)
            XCTAssertEqual(node.tag, tag, text)
            XCTAssertEqual(node.isNull, tag == .null, text)
        }
        XCTAssertEqual(try composed("v: 'quoted'\n").mapping?.first?.value.string, "quoted")
        XCTAssertEqual(try composed("v: ON\n").mapping?.first?.value.bool, true)
        XCTAssertNil(try composed("v: \"true\"\n").mapping?.first?.value.bool, "a quoted true is a string")
        XCTAssertEqual(try composed("v: 1_000.5\n").mapping?.first?.value.float, 1000.5)
    }

    /// A key written twice is refused with its key path and position, in a plan and in the
    /// config, however deep (Yams refused the whole file, naming the key only).
    func testRepeatedKeysAreRefusedWithTheirPath() throws {
        let plan = "instances: [i-a1]\nbatchSize: 1\nwindow:\n  start: \"01:00\"\n  end: \"02:00\"\n  start: \"03:00\"\n"
        XCTAssertThrowsError(try PlanParser().parse(plan, fileName: "p.yaml", format: .yaml)) { error in
            let problems = (error as? RebootCore.ValidationError)?.problems ?? []
            XCTAssertEqual(problems.map(\.path), ["window.start"], "\(problems)")
            XCTAssertEqual(problems.first?.line, 6)
            XCTAssertEqual(problems.first?.message, "key appears twice")
        }
        let json = #"{"instances": ["i-a1"], "batchSize": 1, "batchSize": 2}"#
        XCTAssertThrowsError(try PlanParser().parse(json, fileName: "p.json", format: .json)) { error in
            XCTAssertEqual((error as? RebootCore.ValidationError)?.problems.map(\.path), ["batchSize"])
        }
        let config = "spoolDir: /a\nrateLimit:\n  burst: 1\n  burst: 2\n"
        XCTAssertThrowsError(try ConfigLoader.parse(config, file: "c.yaml")) { error in
            XCTAssertEqual((error as? RebootCore.ValidationError)?.problems.map(\.path), ["rateLimit.burst"])
        }
    }

    /// Repeated instance ids are still named with their first position, in order, also when the
    /// list holds other bad entries; the ids come back in the file's order.
    func testRepeatedIdsAreFoundBySortingNotHashing() throws {
        let plan = "batchSize: 1\ninstances: [i-b, i-a, ~, i-b, bad, i-a, i-b, [x]]\n"
        XCTAssertThrowsError(try PlanParser().parse(plan, fileName: "p.yaml", format: .yaml)) { error in
            let problems = (error as? RebootCore.ValidationError)?.problems ?? []
            XCTAssertEqual(problems.map(\.path), ["instances[2]", "instances[3]", "instances[4]", "instances[5]", "instances[6]", "instances[7]"])
            XCTAssertEqual(problems[1].message, "\"i-b\" is repeated (first at instances[0])")
            XCTAssertEqual(problems[3].message, "\"i-a\" is repeated (first at instances[1])")
            XCTAssertEqual(problems[4].message, "\"i-b\" is repeated (first at instances[0])")
        }
        let ids = (0..<5000).map { "i-\(String($0 * 7919 % 5000, radix: 36))" }
        let text = "batchSize: 1\ninstances:\n" + ids.map { "  - \($0)\n" }.joined()
        XCTAssertEqual(try PlanParser().parse(text, fileName: "p.yaml", format: .yaml).instances, ids)
        XCTAssertEqual(PlanParser.repeats(try composed("[i-x, i-y, i-x, i-x]").sequence ?? []), [2: 0, 3: 0])
    }
}
