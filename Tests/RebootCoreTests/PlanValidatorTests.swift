import Foundation
import XCTest

@testable import RebootCore

/// The plan validator against a corpus of malformed plans (each names the key path it must be
/// rejected with), and the good examples shipped in config/plans.
final class PlanValidatorTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bad-plans")
    static let expectations: [String: String] = ["trailing-comma.json": "(file)", "wrong-type-json.json": "instances"]

    func testEveryMalformedPlanIsRejectedWithItsKeyPath() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 12)
        for name in files {
            let path = Self.corpus.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let expected = try XCTUnwrap(
                Self.expectations[name]
                    ?? text.split(separator: "\n").first?
                    .replacingOccurrences(of: "# expect: ", with: ""), name)
            do {
                _ = try PlanFile.load(path: path, parser: PlanParser())
                XCTFail("\(name) was accepted")
            } catch {
                let paths = error.problems.map { $0.path.isEmpty ? "(file)" : $0.path }
                XCTAssertTrue(paths.contains(expected), "\(name): expected a problem at \(expected), got \(error)")
            }
        }
    }

    /// The example plans in config/plans (the README points at them) are valid plans: the doc
    /// comment above promised it, and no test checked it.
    func testTheShippedExamplesAreValid() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/plans").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 3, "\(files)")
        for name in files {
            XCTAssertNoThrow(try PlanFile.load(path: folder.appendingPathComponent(name).path, parser: PlanParser()), name)
        }
        let byTag = try PlanFile.load(path: folder.appendingPathComponent("by-tag.yaml").path, parser: PlanParser()).plan
        XCTAssertEqual(byTag.select?.tags, ["env:prod", "role:web"])
        XCTAssertEqual(byTag.zones, .oneAtATime)
        XCTAssertEqual(byTag.checkpoints, [1])
    }

    func testEveryProblemIsListedWithLineAndColumn() {
        let text = """
            instances: [i-ok1, bad, i-ok1]
            batchSize: "x%"
            forceStop: 3
            surprise: true
            """
        do {
            _ = try PlanParser().parse(text, fileName: "p.yaml", format: .yaml)
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(Set(error.problems.map(\.path)), ["instances[1]", "instances[2]", "batchSize", "forceStop", "surprise"])
            let surprise = error.problems.first { $0.path == "surprise" }
            XCTAssertEqual(surprise?.line, 4)
            XCTAssertEqual(surprise?.column, 1)
            XCTAssertTrue(error.description.contains("line 4"))
        }
    }

    func testTypoGetsASuggestion() {
        do {
            _ = try PlanParser().parse("instances: [i-a1]\nbatchsize: 1\n", fileName: "p.yaml", format: .yaml)
            XCTFail("accepted")
        } catch {
            XCTAssertTrue(error.description.contains("did you mean \"batchSize\""), error.description)
        }
    }

    func testAFullPlanParses() throws {
        let text = """
            name: kernel-2026-11
            instances: [i-YufwpQAe, i-7Hn2kPq1, i-abc]
            batchSize: [1, "50%"]
            forceStop: true
            pauseBetweenBatches: 5m
            maxFailures: "10%"
            rebootTimeout: 15m
            conflictRetry: { maxAttempts: 4, timeout: 1h30m }
            window: { days: [mon, fri], start: "22:00", end: "05:00", timezone: Asia/Shanghai }
            startAfter: 2026-11-28T01:00:00+08:00
            region: bj
            dryRun: false
            """
        let plan = try PlanParser(knownRegions: ["bj"]).parse(text, fileName: "x.yaml", format: .yaml)
        XCTAssertEqual(plan.name, "kernel-2026-11")
        XCTAssertEqual(plan.layout.sizes, [1, 2])
        XCTAssertEqual(plan.pauseBetweenBatches, 300)
        XCTAssertEqual(plan.maxFailures, .percent(10))
        XCTAssertEqual(plan.conflictRetry, ConflictRetry(maxAttempts: 4, timeout: 5400))
        XCTAssertEqual(plan.window?.days, [2, 6])
        XCTAssertEqual(plan.window?.start, 22 * 60)
        XCTAssertEqual(plan.startAfter, PlanParser.parseRFC3339("2026-11-27T17:00:00Z"))
        XCTAssertTrue(plan.forceStop)
        XCTAssertThrowsError(try PlanParser(knownRegions: ["gz"]).parse(text, fileName: "x.yaml", format: .yaml))
    }

    func testNameDefaultsToFileName() throws {
        let plan = try PlanParser().parse("instances: [i-a1]\nbatchSize: 1\n", fileName: "web-tier.yaml", format: .yaml)
        XCTAssertEqual(plan.name, "web-tier")
        let json = try PlanParser().parse(#"{"instances": ["i-a1"], "batchSize": "25%"}"#, fileName: "j.json", format: .json)
        XCTAssertEqual(json.batchSize, .fixed(.percent(25)))
    }

    func testFileLevelRefusals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.yaml")
        try "instances: [i-a1]\nbatchSize: 1\n".write(to: good, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try PlanFile.load(path: good.path, parser: PlanParser()))
        let link = dir.appendingPathComponent("link.yaml")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: good)
        XCTAssertThrowsError(try PlanFile.load(path: link.path, parser: PlanParser())) { XCTAssertTrue("\($0)".contains("symbolic link")) }
        let txt = dir.appendingPathComponent("plan.txt")
        try "x".write(to: txt, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PlanFile.load(path: txt.path, parser: PlanParser())) { XCTAssertTrue("\($0)".contains(".yaml")) }
        let big = dir.appendingPathComponent("big.yaml")
        _ = FileManager.default.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(Plan.maxFileSize + 1))
        try handle.close()
        XCTAssertThrowsError(try PlanFile.load(path: big.path, parser: PlanParser())) { XCTAssertTrue("\($0)".contains("16 MiB")) }
        let fifo = dir.appendingPathComponent("pipe.yaml")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        XCTAssertThrowsError(try PlanFile.load(path: fifo.path, parser: PlanParser())) { XCTAssertTrue("\($0)".contains("FIFO")) }
    }
}
