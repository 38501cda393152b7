import Foundation
import XCTest

/// A real component a test needs (Prometheus, chromium, …). Without it the test is skipped on a
/// developer's machine, but fails where the tools were installed on purpose:
/// `REBOOTD_REQUIRE_TOOLS=1` (set by `make test` and `.ci/run`) turns the skip into a failure,
/// so a suite that quietly stopped running them cannot stay green.
enum RequiredTool {
    static var required: Bool { ProcessInfo.processInfo.environment["REBOOTD_REQUIRE_TOOLS"] == "1" }

    /// Skips (or, under `REBOOTD_REQUIRE_TOOLS=1`, fails) unless `path` exists.
    static func require(_ path: String, _ what: String, executable: Bool = true) throws {
        let present = executable ? FileManager.default.isExecutableFile(atPath: path) : FileManager.default.fileExists(atPath: path)
        if present { return }
        let message = "\(what) (\(path)) is missing: make bootstrap installs it"
        if required { throw Harness.Failure("REBOOTD_REQUIRE_TOOLS=1: \(message)") }
        throw XCTSkip(message)
    }
}
