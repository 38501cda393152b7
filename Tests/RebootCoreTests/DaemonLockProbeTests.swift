import Foundation
import XCTest

@testable import RebootCore

/// `rebootctl` asks whether a daemon runs (to say whether a control was applied, or waits for
/// the next start) without taking the lock, which could make a daemon starting then exit.
final class DaemonLockProbeTests: XCTestCase {
    func testTheProbeSeesTheLockWithoutTakingIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lockprobe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(DaemonLock.daemonRuns(spoolDir: dir.path), false, "no lock file: no daemon ever ran here")
        var lock: DaemonLock? = try DaemonLock(path: dir.path + "/.rebootd.lock")
        XCTAssertEqual(DaemonLock.daemonRuns(spoolDir: dir.path), true)
        XCTAssertEqual(DaemonLock.daemonRuns(spoolDir: dir.path), true, "probing twice leaves it held")
        XCTAssertNotNil(lock)
        lock = nil
        XCTAssertEqual(DaemonLock.daemonRuns(spoolDir: dir.path), false, "released")
        _ = try DaemonLock(path: dir.path + "/.rebootd.lock")  // the probe never held it
    }
}
