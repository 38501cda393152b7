import Foundation
import XCTest

/// A wall clock that a test steps, for one rebootd: Debian's libfaketime, preloaded behind a
/// small shim that keeps monotonic timerfd deadlines as the kernel keeps them (libfaketime
/// shifts them by the fake offset, which no kernel does on a real step). The offset is read
/// from a file at every call, so `step` takes effect at once.
final class FakeWallClock {
    let offsetFile: URL
    let preload: String

    init(_ h: Harness) throws {
        let faketime = try XCTUnwrap(SafetyEndToEndTests.libfaketime(), "libfaketimeMT.so.1 not found: install faketime (make bootstrap)")
        let shim = h.dir.appendingPathComponent("monotonic-timerfd.so").path
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/monotonic-timerfd.c").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-shared", "-fPIC", "-o", shim, source, "-ldl"]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { throw Harness.Failure("building the timerfd shim with cc failed") }
        preload = shim + ":" + faketime
        offsetFile = h.dir.appendingPathComponent("faketime.txt")
        try step("+0")
    }

    /// Sets the offset from the real clock, libfaketime's way: "+300", "-600".
    func step(_ offset: String) throws {
        let tmp = offsetFile.deletingLastPathComponent().appendingPathComponent(".faketime.tmp")
        try (offset + "\n").write(to: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp.path, offsetFile.path) == 0 else { throw Harness.Failure("cannot move the faketime offset into place") }
    }

    /// The environment for a rebootd on this clock. Under the preload a Swift program sees no
    /// arguments: the config comes from `REBOOTD_CONFIG`.
    func environment(config: String) -> [String: String] {
        [
            "LD_PRELOAD": preload, "FAKETIME_TIMESTAMP_FILE": offsetFile.path, "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1", "REBOOTD_CONFIG": config,
        ]
    }
}
