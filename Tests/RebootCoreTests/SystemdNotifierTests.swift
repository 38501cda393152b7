import Foundation
import Logging
import XCTest

@testable import RebootCore

/// sd_notify datagrams on a path socket and an abstract one, and journald line prefixes.
final class SystemdNotifierTests: XCTestCase {
    /// A datagram listener bound to `name` (a path, or "@name" for the abstract namespace).
    final class Listener {
        let fd: Int32
        init(_ name: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
            let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd) }
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }
    }

    func testPathSocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
        let listener = try Listener(path)
        defer { unlink(path) }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        XCTAssertTrue(notifier.notify("READY=1"))
        XCTAssertEqual(listener.receive(), "READY=1")
        notifier.notify("STATUS=1 active plan; web: running, batch 2/6, 11 rebooted, 0 failed")
        XCTAssertEqual(listener.receive(), "STATUS=1 active plan; web: running, batch 2/6, 11 rebooted, 0 failed")
    }

    func testAbstractSocket() throws {
        let name = "@rebootd-test-\(UUID().uuidString.prefix(8))"
        let listener = try Listener(name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        XCTAssertTrue(notifier.notify("STOPPING=1"))
        XCTAssertEqual(listener.receive(), "STOPPING=1")
    }

    func testDisabledWithoutSocketAndWatchdogInterval() {
        XCTAssertFalse(SystemdNotifier(environment: [:]).notify("READY=1"))
        XCTAssertEqual(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]), 15)
        XCTAssertNil(SystemdNotifier.watchdogInterval(environment: [:]))
        XCTAssertNil(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]))
        // Double() reads these; an infinite interval made the status timer spin (review finding).
        for text in ["inf", "infinity", "nan", "1e400", "-5", "0"] {
            XCTAssertNil(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": text]), text)
        }
    }

    func testStatusLine() {
        let snapshot = SchedulerSnapshot(
            plans: [
                .init(
                    id: "20261127T174500Z-web", state: .running, currentBatch: 1, batchCount: 6,
                    counts: [.rebooted: 11, .failed: 1, .pending: 40])
            ],
            rateLimitTokens: 3, currentRate: 10, inFlight: 0)
        XCTAssertEqual(RebootDaemon.statusLine(snapshot), "1 active plan; web: running, batch 2/6, 11 rebooted, 1 failed")
        XCTAssertEqual(
            RebootDaemon.statusLine(SchedulerSnapshot(plans: [], rateLimitTokens: 0, currentRate: 0, inFlight: 0)),
            "idle: no active plans")
    }

    final class Lines: @unchecked Sendable {
        var all: [String] = []
    }

    func testJournaldPrefixesAndPlainLines() {
        let lines = Lines()
        var journald = JournaldLogHandler(label: "t", journald: true) { lines.all.append($0) }
        journald.logLevel = .debug
        let logger = Logger(label: "t", factory: { _ in journald })
        logger.error("boom", metadata: ["plan": "p1", "requestId": "r-1"])
        logger.warning("slow")
        logger.info("ok")
        logger.debug("detail")
        logger.critical("account")
        XCTAssertEqual(lines.all, ["<3>boom plan=p1 requestId=r-1\n", "<4>slow\n", "<6>ok\n", "<7>detail\n", "<2>account\n"])
        lines.all.removeAll()
        let plain = Logger(label: "t", factory: { _ in JournaldLogHandler(label: "t", journald: false) { lines.all.append($0) } })
        plain.notice("hello", metadata: ["instance": "i-1"])
        XCTAssertEqual(lines.all.count, 1)
        XCTAssertTrue(
            lines.all[0].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z notice hello instance=i-1\n$"#, options: .regularExpression) != nil,
            lines.all[0])
    }
}
