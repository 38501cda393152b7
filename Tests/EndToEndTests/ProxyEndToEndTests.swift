import BCCSimulator
import Foundation
import RebootTesting
import XCTest

/// Plans through a real HTTP proxy on loopback (Debian's tinyproxy), as management hosts reach
/// the API (SPEC §6): the config's `proxy` over https (CONNECT), and the environment's
/// `http_proxy` with the curl transport. Judged from the proxy's own log and bcc-sim's.
final class ProxyEndToEndTests: XCTestCase {
    /// A tinyproxy in the foreground on a free loopback port, logging every request.
    final class Tinyproxy {
        let process = Process()
        let port: Int
        let log: URL

        init(dir: URL) throws {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, len) } }
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &len) } }
            port = Int(UInt16(bigEndian: addr.sin_port))
            close(probe)
            log = dir.appendingPathComponent("tinyproxy.log")
            let conf = dir.appendingPathComponent("tinyproxy.conf")
            try """
            Port \(port)
            Listen 127.0.0.1
            Timeout 30
            LogFile "\(log.path)"
            LogLevel Connect
            MaxClients 20
            Allow 127.0.0.1
            """.write(to: conf, atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tinyproxy")
            process.arguments = ["-d", "-c", conf.path]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            for _ in 0..<50 where !((try? String(contentsOf: log, encoding: .utf8))?.contains("listening") ?? false) {
                usleep(100_000)
            }
        }

        /// Request lines the proxy logged (CONNECT host:port, or GET http://…).
        func requests() -> [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("Request (file descriptor") || $0.contains("CONNECT") || $0.contains("GET http") || $0.contains("PUT http") }
                .map(String.init)
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func testAPlanOverHTTPSThroughTheConfiguredProxy() throws {
        let h = try Harness(name: "proxy-https")
        let certs = try TestCertificates.make(in: h.dir)
        let proxy = try Tinyproxy(dir: h.dir)
        let web = WebFixture()
        try web.start()
        defer { web.stop() }
        try h.startSim([
            "--instances", "4", "--seed", "41", "--reboot-min", "0.2", "--reboot-max", "0.3",
            "--tls-cert", certs.cert, "--tls-key", certs.key,
        ])
        // A notify target goes through the same proxy: chat services are reached like the API.
        try h.writeConfig(
            "pollInterval: 300ms\nminRebootTime: 200ms\nrequestTimeout: 3s\ncaFile: \(certs.ca)\nproxy: http://127.0.0.1:\(proxy.port)\n"
                + "notify:\n  - url: \(web.base)/hook/viaproxy\n    events: [plan-finished]\n")
        try h.startDaemon(environment: ["no_proxy": "", "https_proxy": "", "http_proxy": ""])
        let ids = SimulatorConfiguration.generateIds(count: 4, seed: 41)
        let plan = try h.submit("p.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "succeeded")
        let seen = proxy.requests()
        XCTAssertTrue(
            seen.contains { $0.contains("CONNECT") && $0.contains("127.0.0.1:\(h.simPort)") },
            "the proxy tunnelled the calls:\n\(seen.joined(separator: "\n"))")
        let accepted = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.flatMap(\.ids)
        XCTAssertEqual(accepted.sorted(), ids.sorted())
        XCTAssertTrue(try String(contentsOf: h.daemonLog, encoding: .utf8).contains("proxy=http://127.0.0.1:\(proxy.port)"))
        XCTAssertTrue(h.waitFor(10) { web.received("viaproxy").count == 1 }, "the plan-finished event arrived")
        // AsyncHTTPClient tunnels through a proxy with CONNECT, plain http too.
        XCTAssertTrue(proxy.requests().contains { $0.contains("CONNECT") && $0.contains("127.0.0.1:\(web.port)") }, "through the proxy")
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }

    func testAPlanThroughTheEnvironmentsProxyWithTheCurlTransport() throws {
        let h = try Harness(name: "proxy-curl")
        let proxy = try Tinyproxy(dir: h.dir)
        try h.startSim(["--instances", "4", "--seed", "43", "--reboot-min", "0.2", "--reboot-max", "0.3"])
        // tinyproxy may close a kept-alive connection as libcurl reuses it: that call is in doubt
        // (rule 4.8), resolved by polls (it took effect, or it is unknowable), and never sent twice.
        try h.writeConfig("pollInterval: 300ms\nminRebootTime: 200ms\nrequestTimeout: 3s\nhttpClient: curl\n")
        try h.startDaemon(environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)", "no_proxy": ""])
        let ids = try h.adminState().map(\.id)
        let plan = try h.submit("p.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 60), "succeeded")
        let apiThroughProxy = try String(contentsOf: proxy.log, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("127.0.0.1:\(h.simPort)/v2/instance") }
        let apiCalls = try h.requests().count
        XCTAssertGreaterThanOrEqual(
            apiThroughProxy.count, apiCalls, "every API call went through the proxy (\(apiThroughProxy.count) of \(apiCalls))")
        let accepted = try h.requests().filter { $0.call == "reboot" && $0.status == 200 }.flatMap(\.ids)
        XCTAssertEqual(accepted.sorted(), ids.sorted())
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }
}
