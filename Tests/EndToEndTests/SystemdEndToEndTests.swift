import Foundation
import XCTest

/// rebootd under a systemd-like supervisor: the notify protocol, watchdog pings, reload by
/// SIGHUP, and the metrics file after a plan.
final class SystemdEndToEndTests: XCTestCase {
    /// Collects datagrams from a Unix socket on a background thread.
    final class NotifyListener: @unchecked Sendable {
        let fd: Int32
        let path: String
        private let lock = NSLock()
        private var received: [(Date, String)] = []

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
            let socketFD = self.fd
            Thread.detachNewThread { [weak self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = recv(socketFD, &buffer, buffer.count, 0)
                    guard n > 0, let self else { return }
                    self.lock.lock()
                    self.received.append((Date(), String(decoding: buffer[0..<n], as: UTF8.self)))
                    self.lock.unlock()
                }
            }
        }

        deinit {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
            unlink(path)
        }

        var messages: [(Date, String)] {
            lock.lock()
            defer { lock.unlock() }
            return received
        }
    }

    func testNotifyWatchdogReloadAndMetrics() throws {
        let h = try Harness(name: "systemd")
        try h.startSim(["--instances", "6", "--seed", "8", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("pollInterval: 300ms\nlogLevel: info\n")
        let listener = try NotifyListener(path: h.dir.appendingPathComponent("notify.sock").path)
        try h.startDaemon(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "600000"])
        XCTAssertTrue(h.waitFor(5) { listener.messages.contains { $0.1 == "READY=1" } })
        XCTAssertTrue(h.waitFor(5) { listener.messages.contains { $0.1 == "STATUS=idle: no active plans" } })
        // WATCHDOG=1 every WATCHDOG_USEC/2 (300 ms): five pings come within 3 s, and no two are
        // as far apart as the watchdog's deadline (600 ms), which is when systemd would kill it.
        XCTAssertTrue(
            h.waitFor(3, every: 0.05) { listener.messages.filter { $0.1 == "WATCHDOG=1" }.count >= 5 },
            "WATCHDOG=1 at least every WATCHDOG_USEC/2")
        let pings = listener.messages.filter { $0.1 == "WATCHDOG=1" }
        for (a, b) in zip(pings, pings.dropFirst()) { XCTAssertLessThan(b.0.timeIntervalSince(a.0), 0.6, "within the watchdog deadline") }

        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("svc.yaml", Harness.planYAML(ids, "batchSize: 3"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 30), "succeeded")
        XCTAssertTrue(listener.messages.contains { $0.1.hasPrefix("STATUS=1 active plan; svc: running") })
        let statusTimes = listener.messages.filter { $0.1.hasPrefix("STATUS=") }.map(\.0)
        for (a, b) in zip(statusTimes, statusTimes.dropFirst()) {
            XCTAssertGreaterThan(b.timeIntervalSince(a), 0.8, "at most once a second (less the listener thread's delay on a busy machine)")
        }

        // Reload: the log level and the rate limit apply live; an endpoint change is refused.
        try h.writeConfig("pollInterval: 300ms\nlogLevel: debug\nrateLimit: { requestsPerSecond: 3, burst: 1 }\n")
        h.signalDaemon(SIGHUP)
        XCTAssertTrue(h.waitFor(5) { (try? String(contentsOf: h.daemonLog, encoding: .utf8))?.contains("configuration reloaded") == true })
        XCTAssertTrue(h.waitFor(3) { listener.messages.contains { $0.1 == "RELOADING=1" } })
        var text = try String(contentsOf: h.configPath.asURL, encoding: .utf8)
        text = text.replacingOccurrences(of: "endpoint: http://127.0.0.1:\(h.simPort)", with: "endpoint: http://127.0.0.1:1")
        try text.write(toFile: h.configPath, atomically: true, encoding: .utf8)
        h.signalDaemon(SIGHUP)
        XCTAssertTrue(
            h.waitFor(5) { (try? String(contentsOf: h.daemonLog, encoding: .utf8))?.contains("keeping the running value until a restart") == true })
        try "logLevel: [broken".write(toFile: h.configPath, atomically: true, encoding: .utf8)
        h.signalDaemon(SIGHUP)
        XCTAssertTrue(
            h.waitFor(5) { (try? String(contentsOf: h.daemonLog, encoding: .utf8))?.contains("reload refused, keeping the running config") == true })
        try text.write(toFile: h.configPath, atomically: true, encoding: .utf8)  // rebootctl reads it too
        // Still serving on the old endpoint, at the reloaded rate: 3 rps + burst 1.
        let second = try h.submit("svc2.yaml", Harness.planYAML(ids, "batchSize: 6"))
        XCTAssertEqual(try h.waitPlanEnd(second, timeout: 30), "succeeded")
        let reboots = try h.requests().filter { $0.call == "reboot" }.map(\.start).sorted().suffix(6)
        XCTAssertGreaterThan(reboots.last! - reboots.first!, 1.2, "6 calls at 3 rps + burst 1 take more than a second")

        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(5), 0)
        XCTAssertTrue(listener.messages.contains { $0.1 == "STOPPING=1" })
        let prom = try String(contentsOf: h.dir.appendingPathComponent("rebootd.prom"), encoding: .utf8)
        for name in [
            "rebootd_api_calls_total", "rebootd_api_call_duration_seconds_bucket", "rebootd_reboots_total",
            "rebootd_conflicts_total", "rebootd_throttled_total", "rebootd_instances", "rebootd_plans",
            "rebootd_rate_limit_tokens", "rebootd_rate_limit_current_rps", "rebootd_last_success_timestamp_seconds",
        ] {
            XCTAssertTrue(prom.contains(name), "\(name) missing from the metrics file")
        }
        XCTAssertTrue(prom.contains(#"rebootd_reboots_total{outcome="rebooted"} 12"#), prom)
        XCTAssertTrue(prom.contains(#"rebootd_api_calls_total{call="reboot",outcome="ok"} 12"#), prom)
        XCTAssertTrue(prom.contains(#"rebootd_plans{state="succeeded"} 2"#), prom)
        XCTAssertTrue(prom.contains(#"rebootd_conflicts_total 0"#))
    }
}

extension String {
    var asURL: URL { URL(fileURLWithPath: self) }
}
