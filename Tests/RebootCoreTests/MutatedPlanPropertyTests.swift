import Foundation
import XCTest

@testable import RebootCore

/// 10,000 plans made by mutating the valid fixtures byte-wise with a seeded generator go through
/// the validator: none crashes, none takes long, and every rejection says where (a key path, a
/// line) or that the file does not parse.
final class MutatedPlanPropertyTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/valid-plans")

    /// SplitMix64: the same sequence for the same seed, on every platform.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes that mean something to YAML or JSON, or to the plan's values.
    static let interesting = Array("&*!%?|>-:,[]{}\"'#\n \t\\0123456789e.+_~@`hms%i".utf8) + [0x00, 0x1B, 0x7F, 0xC3, 0xA9, 0xFF]

    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator, corpus: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1 where !bytes.isEmpty: bytes[at] = interesting.randomElement(using: &rng)!
            case 2: bytes.insert(interesting.randomElement(using: &rng)!, at: at)
            case 3 where !bytes.isEmpty: bytes.remove(at: at)
            case 4 where !bytes.isEmpty:
                // Repeat a chunk (deeper nesting, longer scalars, repeated keys).
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &rng))
                let chunk = bytes[at..<end]
                bytes.insert(contentsOf: Array(repeating: Array(chunk), count: Int.random(in: 1...20, using: &rng)).joined(), at: at)
            case 5:
                // Splice in a piece of another fixture.
                let other = corpus.randomElement(using: &rng)!
                let from = Int.random(in: 0..<other.count, using: &rng)
                bytes.insert(contentsOf: other[from..<min(other.count, from + Int.random(in: 1...80, using: &rng))], at: at)
            default:
                let snippets = [
                    "&a ", "*a", "!!str ", "!x ", "? [k]\n: v\n", "\n---\n", "1e19", "9223372036854775807:59",
                    "[[[[[[[[[[[[[[[[[[", "<<: ", "%TAG ! x:\n---\n", "\\u0000", "99999999999999999999h",
                ]
                bytes.insert(contentsOf: Array(snippets.randomElement(using: &rng)!.utf8), at: at)
            }
        }
        return bytes
    }

    func testTenThousandMutatedPlans() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).sorted()
        XCTAssertGreaterThanOrEqual(names.count, 4)
        let corpus = try names.map { Array(try Data(contentsOf: Self.fixtures.appendingPathComponent($0))) }
        let parser = PlanParser()
        for (name, bytes) in zip(names, corpus) {
            let format = try XCTUnwrap(PlanParser.Format(fileExtension: (name as NSString).pathExtension))
            XCTAssertNoThrow(try parser.parse(String(decoding: bytes, as: UTF8.self), fileName: name, format: format), name)
        }

        var rng = SeededGenerator(state: 0x5EED_2026_1128)
        var accepted = 0
        var rejected = 0
        var notUTF8 = 0
        var slowest: (seconds: TimeInterval, name: String, text: String) = (0, "", "")
        var unnamed: [String] = []
        for _ in 0..<10_000 {
            let index = Int.random(in: 0..<corpus.count, using: &rng)
            let bytes = Self.mutate(corpus[index], &rng, corpus: corpus)
            let format = PlanParser.Format(fileExtension: (names[index] as NSString).pathExtension)!
            // PlanFile refuses a file that is not UTF-8 as a whole; its repaired text still goes through.
            if String(data: Data(bytes), encoding: .utf8) == nil { notUTF8 += 1 }
            let text = String(decoding: bytes, as: UTF8.self)
            let start = DispatchTime.now().uptimeNanoseconds
            let result = Result { () throws(RebootCore.ValidationError) in try parser.parse(text, fileName: names[index], format: format) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if seconds > slowest.seconds { slowest = (seconds, names[index], text) }
            switch result {
            case .success: accepted += 1
            case .failure(let error):
                rejected += 1
                let located =
                    !error.problems.isEmpty
                    && error.problems.allSatisfy {
                        !$0.path.isEmpty || $0.line != nil || $0.message.contains("does not parse") || $0.message.contains("is empty")
                    }
                if !located && unnamed.count < 5 { unnamed.append("\(error)\n---\n\(text.prefix(400))") }
            }
        }
        print(
            "mutated plans: \(accepted) accepted, \(rejected) rejected, \(notUTF8) of them not UTF-8 (repaired); slowest \(String(format: "%.1f", slowest.seconds * 1000)) ms (\(slowest.name))"
        )
        XCTAssertEqual(accepted + rejected, 10_000)
        XCTAssertGreaterThan(rejected, 5_000)
        // The target is 100 ms; 1 s keeps a noisy shared machine from failing the build.
        XCTAssertLessThan(slowest.seconds, 1, "slowest input (\(slowest.name)):\n\(slowest.text.prefix(600))")
        XCTAssertEqual(unnamed, [], "rejections that name no key path, line or parse failure")
    }
}
