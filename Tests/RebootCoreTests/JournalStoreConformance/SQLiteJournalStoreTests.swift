import Foundation
import XCTest

@testable import RebootCore

/// The store conformance suite on `SQLiteJournal` in memory (`SQLiteFileJournalStoreTests`
/// runs it on a file).
final class SQLiteJournalStoreTests: JournalStoreConformanceTests {
    override func makeStore() throws -> any JournalStore {
        // Small chunks, so that `forEachInstanceChunk` reads more than one.
        try SQLiteJournal(readChunkRows: 4)
    }

    func testTheWholeContract() { runContract() }

    /// Every `checkX` of the suite is in `contract`, under its own name (a check left out
    /// would silently not run). Read from the sources: XCTest on Linux cannot list a class's
    /// methods.
    func testTheContractListsEveryCheck() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("JournalStoreConformanceTests") }
        var checks: Set<String> = []
        var listed: Set<String> = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for (pattern, into) in [(#"(?m)^    func check(\w+)\(\) throws"#, 0), (#"\("(\w+)", \{ try \$0\.check\1\(\) \}\)"#, 1)] {
                let regex = try NSRegularExpression(pattern: pattern)
                for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    guard let r = Range(m.range(at: 1), in: text) else { continue }
                    if into == 0 { checks.insert(String(text[r])) } else { listed.insert(String(text[r])) }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checks.count, 30, "the suite's checks were found")
        XCTAssertEqual(listed, checks, "contract lists every check, each calling the check of its name")
        XCTAssertEqual(JournalStoreConformanceTests.contract.count, checks.count, "each once")
    }
}
