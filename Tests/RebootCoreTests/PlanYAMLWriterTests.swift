import Foundation
import XCTest

@testable import RebootCore

/// A plan written back as YAML is read by the daemon's parser as the same plan, every setting
/// included; and every plan key is written (a new one must be added to the writer).
final class PlanYAMLWriterTests: XCTestCase {
    func reparse(_ plan: Plan, parser: PlanParser = PlanParser()) throws -> Plan {
        let text = PlanYAMLWriter.yaml(plan, header: ["a header\nwith a newline"], notes: [nil, "failed: Error # or so"])
        return try parser.parse(text, fileName: "w.yaml", format: .yaml)
    }

    func testEveryPlanKeyIsWrittenButASelector() {
        XCTAssertEqual(
            Set(PlanParser.keys).subtracting(PlanYAMLWriter.neverWritten), Set(PlanYAMLWriter.writtenKeys),
            "a plan key the writer does not write would be lost by resubmit")
    }

    func testAFullPlanReadsBackTheSame() throws {
        var plan = Plan(name: "true", instances: ["i-YufwpQAe", "i-7Hn2kPq1", "i-abc"], batchSize: .list([.count(1), .percent(50)]))
        plan.ticket = #"CHG-42 "quoted" \ back # not a comment: 变更 ✓"#
        plan.forceStop = true
        plan.pauseBetweenBatches = 5400
        plan.maxFailures = .percent(10)
        plan.rebootTimeout = 0.3
        plan.conflictRetry = ConflictRetry(maxAttempts: 4, timeout: 1.5)
        plan.window = MaintenanceWindow(days: [2, 6], start: 22 * 60, end: 5 * 60, timezone: "Asia/Shanghai")
        plan.startAfter = PlanParser.parseRFC3339("2026-11-28T01:00:00+08:00")
        plan.region = "bj"
        plan.dryRun = true
        plan.healthGates = ["quorum", "no-alerts"]
        plan.zones = .oneAtATime
        plan.pauseBetweenZones = 600
        plan.checkpoints = [1, 3]
        let parser = PlanParser(knownRegions: ["bj"], knownGates: ["quorum", "no-alerts"])
        XCTAssertEqual(try reparse(plan, parser: parser), plan)
    }

    func testDefaultsAndOddDurationsReadBackTheSame() throws {
        var plan = Plan(name: "1e3", instances: ["i-a", "i-b"], batchSize: .fixed(.percent(25)))
        XCTAssertEqual(try reparse(plan), plan, "defaults, no ticket, a name that YAML would take for a number")
        plan.zones = .mixed
        plan.checkpoints = [1]
        XCTAssertEqual(try reparse(plan), plan, "mixed written when it was given")
        for seconds: TimeInterval in [0, 0.001, 0.25, 1.5, 59.999, 90, 3600, 86_400 * 366, 1.0 / 3] {
            plan.pauseBetweenBatches = seconds
            plan.maxFailures = .count(3)
            XCTAssertEqual(try reparse(plan).pauseBetweenBatches, seconds, "\(seconds) s as \(PlanYAMLWriter.duration(seconds))")
        }
        plan.startAfter = Date(timeIntervalSince1970: 1_800_000_000.125)
        XCTAssertEqual(try reparse(plan).startAfter, plan.startAfter, "milliseconds kept")
    }

    /// Every plan the parser accepts reads back the same once written: the valid fixtures, the
    /// shipped examples, and the mutants of them it accepts (`MutatedPlanPropertyTests`' generator).
    func testEveryAcceptedPlanReadsBackTheSame() throws {
        let fixtures = MutatedPlanPropertyTests.fixtures
        let examples = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/plans")
        var files: [(name: String, bytes: [UInt8])] = []
        for dir in [fixtures, examples] {
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                files.append((name, Array(try Data(contentsOf: dir.appendingPathComponent(name)))))
            }
        }
        XCTAssertGreaterThanOrEqual(files.count, 6)
        let parser = PlanParser()
        func check(_ bytes: [UInt8], _ name: String) -> Bool {
            guard let format = PlanParser.Format(fileExtension: (name as NSString).pathExtension),
                let plan = try? parser.parse(String(decoding: bytes, as: UTF8.self), fileName: name, format: format)
            else { return false }
            // The writer writes plans of ids (resubmit's): a `select` plan is written as the ids
            // it resolved to, never as its query (`neverWritten`), so it has no round trip.
            guard plan.select == nil else { return true }
            let written = PlanYAMLWriter.yaml(plan)
            XCTAssertEqual(try? parser.parse(written, fileName: name, format: .yaml), plan, "\(name) written as:\n\(written.prefix(800))")
            return true
        }
        for (name, bytes) in files { XCTAssertTrue(check(bytes, name), name) }
        var rng = MutatedPlanPropertyTests.SeededGenerator(state: 0x7E5B_2026_1207)
        var accepted = 0
        for _ in 0..<3_000 {
            let pick = files[Int.random(in: 0..<files.count, using: &rng)]
            if check(MutatedPlanPropertyTests.mutate(pick.bytes, &rng, corpus: files.map(\.bytes)), pick.name) { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 100, "enough mutants accepted to mean something")
    }

    func testTheNotesAndHeaderAreCommentsAndTheLayoutIsReadable() {
        var plan = Plan(name: "web", instances: ["i-a", "i-b"], batchSize: .fixed(.count(1)))
        plan.ticket = "CHG-1"
        let text = PlanYAMLWriter.yaml(plan, header: ["from plan X"], notes: ["skipped: plan halted", nil])
        XCTAssertTrue(text.hasPrefix("# from plan X\nname: \"web\"\nticket: \"CHG-1\"\nbatchSize: 1\n"), text)
        XCTAssertTrue(text.hasSuffix("instances:\n  - i-a  # skipped: plan halted\n  - i-b\n"), text)
        XCTAssertEqual(PlanYAMLWriter.quoted("a\u{7}\u{202E}\u{1F600}\"\\"), #""a\u0007\u202E😀\"\\""#)
    }
}
