import Foundation
import Logging
import XCTest

@testable import RebootCore

/// WATCHDOG=1 comes from the scheduler's own queue: when that queue is stuck, the pings stop,
/// so systemd would restart the daemon.
final class WatchdogTests: XCTestCase {
    /// A daemon with `WATCHDOG_USEC=200000` (pings every ~0.1 s) and a listener for its messages.
    func startDaemon() throws -> (daemon: RebootDaemon, listener: SystemdNotifierTests.Listener, dir: URL) {
        let (dir, config) = try DaemonTestConfig.make("wd")
        let (daemon, listener, _) = try DaemonTestConfig.notifyingDaemon(
            dir: dir, config: config, environment: ["WATCHDOG_USEC": "200000"], label: "wd")
        try daemon.start()
        XCTAssertEqual(listener.receive(), "READY=1")
        return (daemon, listener, dir)
    }

    /// Every message received during `seconds`, with its time relative to `origin`.
    func collect(_ listener: SystemdNotifierTests.Listener, for seconds: TimeInterval, origin: Date) -> [(TimeInterval, String)] {
        var got: [(TimeInterval, String)] = []
        let end = Date() + seconds
        while Date() < end { if let m = listener.receive() { got.append((Date().timeIntervalSince(origin), m)) } }
        return got
    }

    func testPingsStopWhileTheSchedulerQueueIsBlocked() throws {
        let (daemon, listener, dir) = try startDaemon()
        defer {
            daemon.spool.stop()
            daemon.statusTimer?.cancel()
            try? FileManager.default.removeItem(at: dir)
        }
        XCTAssertGreaterThanOrEqual(collect(listener, for: 0.6, origin: Date()).filter { $0.1 == "WATCHDOG=1" }.count, 3)
        // Block the scheduler queue for 1.2 s: no ping may arrive meanwhile, and they resume after.
        let blockStart = Date()
        daemon.scheduler.queue.async { Thread.sleep(forTimeInterval: 1.2) }
        let pings = collect(listener, for: 2.2, origin: blockStart).filter { $0.1 == "WATCHDOG=1" }.map(\.0)
        XCTAssertEqual(pings.filter { $0 > 0.05 && $0 < 1.15 }, [], "a stuck scheduler must stop the pings")
        XCTAssertGreaterThanOrEqual(pings.filter { $0 >= 1.15 }.count, 3, "pings resume")
    }

    /// A plan file whose reading takes longer than WatchdogSec/2 (here a 100,000-instance plan
    /// followed by a 800,000-item list under an unknown key, 14.7 MB, in a debug build, against a
    /// 0.1 s bound) stops the pings while it is read, with its content journaled as stalled; when
    /// it is finished after all, the record goes and the pings resume. The unknown key makes the
    /// plan invalid, so that only the parse (not the scheduler, whose own queue also gates the
    /// pings) is busy.
    func testPingsStopWhilePlanIntakeIsStuckOnOneFile() throws {
        let (daemon, listener, dir) = try startDaemon()
        defer {
            daemon.spool.stop()
            daemon.statusTimer?.cancel()
            try? FileManager.default.removeItem(at: dir)
        }
        let text =
            "name: big\nbatchSize: 5000\ndryRun: true\ninstances:\n"
            + (0..<100_000).map { String(format: "  - i-%08d\n", $0) }.joined()
            + "bogusKey:\n" + (0..<800_000).map { String(format: "  - i-%08d\n", $0) }.joined()
        let sha = PlanFile.sha256Hex(Data(text.utf8))
        let spool = dir.appendingPathComponent("spool").path
        try text.write(toFile: spool + "/incoming/.big.yaml.tmp", atomically: false, encoding: .utf8)
        let origin = Date()
        XCTAssertEqual(rename(spool + "/incoming/.big.yaml.tmp", spool + "/incoming/big.yaml"), 0)
        var pings: [TimeInterval] = []
        var stalledFrom: TimeInterval?
        var stalledUntil: TimeInterval = 0
        var journaledWhileStalled = false
        let deadline = Date() + 60
        while Date() < deadline {
            if let m = listener.receive(), m == "WATCHDOG=1" { pings.append(Date().timeIntervalSince(origin)) }
            let now = Date().timeIntervalSince(origin)
            if let busy = daemon.spool.intakeHeartbeat.busy {
                if busy.seconds > 0.3 {
                    stalledFrom = stalledFrom ?? now
                    stalledUntil = now
                    if !journaledWhileStalled, busy.seconds > 0.5 {
                        journaledWhileStalled = try daemon.journal.intakeStall(sha256: sha) != nil
                    }
                }
            } else if stalledFrom != nil, now > stalledUntil + 5 {
                break
            }
        }
        let from = try XCTUnwrap(stalledFrom, "reading the plan took more than 0.3 s")
        print("intake stalled from \(from) to \(stalledUntil) s; pings at \(pings.map { String(format: "%.2f", $0) })")
        XCTAssertGreaterThan(stalledUntil - from, 0.3)
        XCTAssertEqual(pings.filter { $0 > from + 0.15 && $0 < stalledUntil }, [], "no ping while intake is stuck")
        XCTAssertTrue(journaledWhileStalled, "the stalled content is journaled before the pings stop")
        XCTAssertGreaterThanOrEqual(pings.filter { $0 > stalledUntil }.count, 3, "pings resume")
        XCTAssertNil(try daemon.journal.intakeStall(sha256: sha), "finished after all: forgotten")
        XCTAssertEqual(try daemon.journal.plans().count, 0)
        let error = try String(contentsOfFile: spool + "/rejected/big.yaml.error", encoding: .utf8)
        XCTAssertTrue(error.contains("bogusKey"), error)
    }
}
