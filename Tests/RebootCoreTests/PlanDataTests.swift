import Dispatch
import Foundation
import XCTest

@testable import RebootCore

/// Plans are data (SPEC §2): what YAML can do beyond data is refused at the parser's event level,
/// before any node graph is walked, and durations are capped at 366 days.
final class PlanDataTests: XCTestCase {
    static let valid = "instances: [i-a1, i-b2]\nbatchSize: 1\n"

    /// The 400-byte "billion laughs": nine levels of aliases, each nine times the one before, and
    /// the last one used as a key, which Yams' duplicate-key check hashes whole (9^9 nodes).
    static let aliasBomb: String = {
        var text = "instances: [i-a1]\nbatchSize: 1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        return text + "? *i\n: boom\n"
    }()

    /// Parses on another thread and gives up waiting after `timeout` (the old parser stalled for
    /// minutes on the alias bomb; the test must fail, not hang).
    func parseWithin(_ timeout: TimeInterval, _ text: String, format: PlanParser.Format = .yaml)
        -> (result: Result<Plan, RebootCore.ValidationError>?, seconds: TimeInterval)
    {
        final class Box: @unchecked Sendable { var result: Result<Plan, RebootCore.ValidationError>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let start = Date()
        DispatchQueue.global().async {
            box.result = Result { () throws(RebootCore.ValidationError) in
                try PlanParser().parse(text, fileName: "p.\(format.rawValue)", format: format)
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success else { return (nil, timeout) }
        return (box.result, Date().timeIntervalSince(start))
    }

    func problems(_ text: String, format: PlanParser.Format = .yaml, file: StaticString = #filePath, line: UInt = #line) -> [ValidationProblem] {
        let (result, _) = parseWithin(5, text, format: format)
        switch result {
        case nil:
            XCTFail("still parsing after 5 s", file: file, line: line)
            return []
        case .success?:
            XCTFail("accepted:\n\(text.prefix(300))", file: file, line: line)
            return []
        case .failure(let error)?:
            return error.problems
        }
    }

    func testTheAliasBombIsRefusedFastWithAKeyPath() {
        XCTAssertLessThan(Self.aliasBomb.utf8.count, 500)
        let (result, seconds) = parseWithin(5, Self.aliasBomb)
        guard case .failure(let error)? = result else { return XCTFail("not refused within 5 s: \(String(describing: result))") }
        print("alias bomb refused in \(String(format: "%.4f", seconds)) s")
        XCTAssertLessThan(seconds, 0.5)
        let anchor = error.problems.first { $0.message.contains("anchors") }
        XCTAssertEqual(anchor?.path, "a", "\(error)")
        XCTAssertEqual(anchor?.line, 3)
        XCTAssertTrue(error.problems.contains { $0.path == "b[0]" && $0.message.contains("aliases") }, "\(error)")
    }

    func testAnchorsAliasesTagsComplexKeysAndDocumentsAreRefused() {
        let cases: [(String, String, String)] = [
            ("instances: &ids [i-a1]\nbatchSize: 1\n", "instances", "anchors"),
            ("name: &n web\ninstances: [i-a1]\nbatchSize: 1\n", "name", "anchors"),
            ("instances: [i-a1]\nbatchSize: 1\nconflictRetry: { maxAttempts: 2, timeout: *t }\n", "conflictRetry.timeout", "aliases"),
            ("instances: [i-a1]\nbatchSize: !!int 1\n", "batchSize", "tags"),
            ("name: !!str web\ninstances: [i-a1]\nbatchSize: 1\n", "name", "tags"),
            ("instances: !foo [i-a1]\nbatchSize: 1\n", "instances", "tags"),
            ("instances: [i-a1, !bar i-b2]\nbatchSize: 1\n", "instances[1]", "tags"),
            ("%TAG ! tag:example.com,2000:\n---\ninstances: [i-a1]\nbatchSize: 1\n", "", "%TAG"),
            ("instances: [i-a1]\nbatchSize: 1\n? [a, b]\n: 1\n", "", "complex keys"),
            ("instances: [i-a1]\nbatchSize: 1\nwindow:\n  ? {start: 1}\n  : x\n", "window", "complex keys"),
            ("instances: [i-a1]\nbatchSize: 1\n---\ninstances: [i-b2]\nbatchSize: 1\n", "", "more than one YAML document"),
        ]
        for (text, path, word) in cases {
            let found = problems(text)
            XCTAssertTrue(
                found.contains { $0.path == path && $0.message.contains(word) && $0.line != nil },
                "expected \(word) at \"\(path)\" for:\n\(text)\ngot \(found)")
        }
    }

    func testNestingDeeperThan16AndScalarsOver1KiBAreRefused() {
        // 16 levels: the root mapping and 15 lists inside it; refused only by the plan's own rules.
        let sixteen = "instances: [i-a1]\nbatchSize: 1\nwindow: " + String(repeating: "[", count: 15) + String(repeating: "]", count: 15) + "\n"
        XCTAssertFalse(problems(sixteen).contains { $0.message.contains("nested") })
        let seventeen = "instances: [i-a1]\nbatchSize: 1\nwindow: " + String(repeating: "[", count: 16) + String(repeating: "]", count: 16) + "\n"
        let deep = problems(seventeen)
        XCTAssertTrue(deep.contains { $0.message.contains("nested more than 16") && $0.path.hasPrefix("window[0]") }, "\(deep)")

        let fits = "name: " + String(repeating: "a", count: 1024) + "\ninstances: [i-a1]\nbatchSize: 1\n"
        XCTAssertFalse(problems(fits).contains { $0.message.contains("bytes") })
        let long = "instances: [i-a1]\nbatchSize: 1\nname: " + String(repeating: "a", count: 1025) + "\n"
        let found = problems(long)
        XCTAssertTrue(found.contains { $0.path == "name" && $0.message.contains("1025 bytes") && $0.line == 3 }, "\(found)")
        // (An implicit key that long does not even parse in YAML; an explicit one does.)
        let longKey = "instances: [i-a1]\nbatchSize: 1\n? " + String(repeating: "k", count: 1025) + "\n: 1\n"
        XCTAssertTrue(problems(longKey).contains { $0.message.contains("1025 bytes") })
    }

    func testJSONHasTheSameLimits() {
        let base = #""instances": ["i-a1"], "batchSize": 1"#
        let seventeen = "{\(base), \"window\": " + String(repeating: "[", count: 16) + String(repeating: "]", count: 16) + "}"
        let deep = problems(seventeen, format: .json)
        XCTAssertTrue(deep.contains { $0.message.contains("nested more than 16") && $0.path.hasPrefix("window") && $0.line == 1 }, "\(deep)")
        let sixteen = "{\(base), \"window\": " + String(repeating: "[", count: 15) + String(repeating: "]", count: 15) + "}"
        XCTAssertFalse(problems(sixteen, format: .json).contains { $0.message.contains("nested") })

        let long = "{\(base), \"name\": \"" + String(repeating: "a", count: 1025) + "\"}"
        let found = problems(long, format: .json)
        XCTAssertTrue(found.contains { $0.path == "name" && $0.message.contains("longer than 1024") }, "\(found)")
        let fits = "{\(base), \"name\": \"" + String(repeating: "a", count: 1024) + "\"}"
        XCTAssertFalse(problems(fits, format: .json).contains { $0.message.contains("longer than") })
        let number = "{\(base), \"maxFailures\": " + String(repeating: "1", count: 1025) + "}"
        XCTAssertTrue(problems(number, format: .json).contains { $0.path == "maxFailures" && $0.message.contains("longer than") })
    }

    func testDurationsAreCappedAt366Days() {
        for value in ["1e16", "1e19", "31708800", "8808h", "527041m"] {
            let found = problems("instances: [i-a1]\nbatchSize: 1\npauseBetweenBatches: \(value)\n")
            XCTAssertTrue(found.contains { $0.path == "pauseBetweenBatches" && $0.message.contains("366 days") }, "\(value): \(found)")
        }
        for value in ["367d", "1e400", ".inf", "nan"] {
            XCTAssertTrue(problems("instances: [i-a1]\nbatchSize: 1\nrebootTimeout: \(value)\n").contains { $0.path == "rebootTimeout" }, value)
        }
        XCTAssertNoThrow(
            try PlanParser().parse(Self.valid + "pauseBetweenBatches: 31622400\nrebootTimeout: 8784h\n", fileName: "p.yaml", format: .yaml))
        XCTAssertEqual(DurationParser.check("1e19"), .failure(.tooLong))
        XCTAssertEqual(DurationParser.check("366d"), .failure(.malformed))
        XCTAssertEqual(DurationParser.check("8784h"), .success(366 * 86_400))
        // Formatting never traps, whatever it is given.
        for seconds in [1e19, 1e300, .infinity, -.infinity, .nan, -5] { XCTAssertFalse(DurationParser.format(seconds).isEmpty) }
    }

    func testConfigDurationsAreCappedAndTheConfigIsData() {
        for text in ["pollInterval: 1e19\n", "shutdownGrace: 1e16\n", "retry: { maxDelay: 31708800 }\n"] {
            XCTAssertThrowsError(try ConfigLoader.parse(text, file: "c.yaml"), text) { error in
                let problems = (error as? RebootCore.ValidationError)?.problems ?? []
                XCTAssertTrue(problems.contains { $0.message.contains("366 days") && !$0.path.isEmpty }, "\(problems)")
            }
        }
        XCTAssertThrowsError(try ConfigLoader.parse("spoolDir: &s /tmp/x\njournal: *s\n", file: "c.yaml")) { error in
            XCTAssertTrue("\(error)".contains("anchors"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigLoader.parse("rateLimit: { requestsPerSecond: .inf }\n", file: "c.yaml"))
        XCTAssertThrowsError(try ConfigLoader.parse("maxActivePlans: 1:0:0:0:0:0:0:0:0:0:0:0\n", file: "c.yaml"))
    }

    func testIntegersThatOverflowAreRefusedNotTrapped() {
        for value in ["1:0:0:0:0:0:0:0:0:0:0:0", "9223372036854775807:59", "99999999999999999999", "0x1FFFFFFFFFFFFFFFFF"] {
            XCTAssertTrue(problems("instances: [i-a1]\nbatchSize: \(value)\n").contains { $0.path == "batchSize" }, value)
        }
        let plan = try? PlanParser().parse("instances: [i-a1, i-b2, i-c3]\nbatchSize: [1, 9223372036854775807]\n", fileName: "p.yaml", format: .yaml)
        XCTAssertEqual(plan?.layout.sizes, [1, 2])
        XCTAssertEqual(NodeReader.integer("1:30"), 90)
        XCTAssertEqual(NodeReader.integer("0x1F"), 31)
        XCTAssertEqual(NodeReader.integer("-1_000"), -1000)
    }
}
