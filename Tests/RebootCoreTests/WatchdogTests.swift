import Foundation
import Logging
@testable import RebootCore
import XCTest

/// WATCHDOG=1 comes from the scheduler's own queue: when that queue is stuck, the pings stop,
/// so systemd would restart the daemon.
final class WatchdogTests: XCTestCase {
    func testPingsStopWhileTheSchedulerQueueIsBlocked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let creds = dir.appendingPathComponent("c.yaml").path
        try "accessKeyId: a\nsecretAccessKey: b\n".write(toFile: creds, atomically: true, encoding: .utf8)
        chmod(creds, 0o600)
        let config = dir.appendingPathComponent("rebootd.yaml").path
        try """
            endpoint: http://127.0.0.1:9
            credentialsFile: \(creds)
            spoolDir: \(dir.path)/spool
            journal: \(dir.path)/journal.sqlite
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let socketPath = dir.appendingPathComponent("n.sock").path
        let listener = try SystemdNotifierTests.Listener(socketPath)
        var logger = Logger(label: "wd")
        logger.logLevel = .critical
        let daemon = try RebootDaemon(configPath: config, environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "200000"], logger: logger)
        try daemon.start()
        XCTAssertEqual(listener.receive(), "READY=1")
        /// Every message received during `seconds`, with its time relative to `origin`.
        func collect(for seconds: TimeInterval, origin: Date) -> [(TimeInterval, String)] {
            var got: [(TimeInterval, String)] = []
            let end = Date() + seconds
            while Date() < end { if let m = listener.receive() { got.append((Date().timeIntervalSince(origin), m)) } }
            return got
        }
        XCTAssertGreaterThanOrEqual(collect(for: 0.6, origin: Date()).filter { $0.1 == "WATCHDOG=1" }.count, 3)
        // Block the scheduler queue for 1.2 s: no ping may arrive meanwhile, and they resume after.
        let blockStart = Date()
        daemon.scheduler.queue.async { Thread.sleep(forTimeInterval: 1.2) }
        let pings = collect(for: 2.2, origin: blockStart).filter { $0.1 == "WATCHDOG=1" }.map(\.0)
        XCTAssertEqual(pings.filter { $0 > 0.05 && $0 < 1.15 }, [], "a stuck scheduler must stop the pings")
        XCTAssertGreaterThanOrEqual(pings.filter { $0 >= 1.15 }.count, 3, "pings resume")
    }
}
