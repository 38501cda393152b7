import Foundation
import RebootCore
import XCTest

@testable import PlanFuzzer

/// Replays the fuzz regression corpus (`Fixtures/fuzz-regressions/`: every crasher or slow input
/// `make fuzz` has found, and the hostile inputs of issue 8) through the fuzz target's own body,
/// `PlanLoadingFuzz.run`: each input as YAML and as JSON, with the same invariants. A crash fails
/// the run; each input must finish well within libFuzzer's 1 s timeout.
final class FuzzRegressionTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-regressions")

    func testEveryRegressionInputLoadsWithoutCrashOrStall() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 6, "the corpus holds at least the inputs of issue 8")
        var slowest: (seconds: TimeInterval, name: String) = (0, "")
        for name in names {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            let start = DispatchTime.now().uptimeNanoseconds
            PlanLoadingFuzz.run(data)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if seconds > slowest.seconds { slowest = (seconds, name) }
        }
        print("fuzz regressions: \(names.count) inputs replayed; slowest \(String(format: "%.1f", slowest.seconds * 1000)) ms (\(slowest.name))")
        XCTAssertLessThan(slowest.seconds, 1, "slowest input: \(slowest.name)")
    }

    /// The hostile inputs are rejected, each naming what to fix (not merely survived).
    func testTheIssueInputsAreRejectedWithAReason() throws {
        let expectations = [
            "billion-laughs.yaml": "alias", "pause-1e19.yaml": "pauseBetweenBatches",
            "timeout-1e16s.json": "rebootTimeout", "deep-nesting.json": "nest", "deep-nesting.yaml": "nest",
        ]
        for (name, word) in expectations {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(name))
            XCTAssertThrowsError(try PlanFile.load(data: data, path: name, owner: FileOwner(uid: 0), parser: PlanParser()), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.localizedCaseInsensitiveContains(word), "\(name): \(text)")
            }
        }
    }
}
