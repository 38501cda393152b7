import BCCSimulator
import Foundation
import XCTest

/// `rebootctl report` (SPEC §10) on the README demo plan, rendered by a real browser: Debian's
/// chromium, headless, with every network request sent to a dead-end proxy that records it.
/// The screenshot lands in `.build/test-artifacts/report.png` (the README's `docs/report.png`
/// is a copy of one).
final class ReportEndToEndTests: XCTestCase {
    static let chromium = "/usr/bin/chromium"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let artifacts = root.appendingPathComponent(".build/test-artifacts")

    func testTheDemoPlansReportRendersOfflineInARealBrowser() throws {
        try RequiredTool.require(Self.chromium, "chromium")
        let h = try Harness(name: "report")
        let demo = try String(contentsOf: Self.root.appendingPathComponent("config/plans/demo.yaml"), encoding: .utf8)
        let ids = demo.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- i-") ? String(t.dropFirst(2)) : nil
        }
        XCTAssertEqual(ids.count, 200)
        let broken = ids[7]  // batch 2: stuck in Error, its reboot is refused and it fails
        try h.startSim([
            "--instances", "200", "--seed", "42", "--reboot-min", "0.5", "--reboot-max", "1.5",
            "--initially-starting", "0.05", "--starting-for", "3", "--error-rate", "0.02",
            "--stuck", broken, "--stuck-status", "Error",
        ])
        XCTAssertEqual(Set(try h.adminState().map(\.id)), Set(ids), "bcc-sim --seed 42 makes the demo plan's ids")
        try h.writeConfig(
            "rateLimit: { requestsPerSecond: 40, burst: 10 }\npollInterval: 500ms\nrequestTimeout: 1s\nminRebootTime: 500ms\ninDoubtMaxGap: 5s\n")
        try h.startDaemon()
        // As `make demo`: five calls find their instance busy after the batch's read (409s).
        try h.setFault(#"{"call": "reboot", "kind": "busy", "seconds": 1, "count": 5}"#)
        let plan = try h.submit("demo.yaml", demo)
        // One answer held past the timeout (a call in doubt), and an operator's pause.
        try h.setFault(#"{"call": "reboot", "kind": "hang", "seconds": 2, "count": 1, "for": 60}"#)
        XCTAssertTrue(h.waitFor(30) { (try? h.planStatus(plan))?.counts["rebooted"] ?? 0 >= 11 })
        XCTAssertEqual(try h.ctl(["pause", plan]).status, 0)
        sleep(3)
        XCTAssertEqual(try h.ctl(["resume", plan]).status, 0)
        XCTAssertEqual(try h.waitPlanEnd(plan, timeout: 120), "succeeded")

        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let html = Self.artifacts.appendingPathComponent("report.html")
        let wrote = try h.ctl(["report", plan, "--html", html.path])
        XCTAssertEqual(wrote.status, 0, wrote.out)
        let json = try h.ctl(["report", plan, "--json"])
        let data = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual((data["instances"] as? [Any])?.count, 200)
        XCTAssertEqual(data["version"] as? Int, 1)

        let trap = try RequestTrap()
        defer { trap.stop() }
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--disable-extensions", "--no-pings", "--disable-client-side-phishing-detection", "--disable-domain-reliability",
            "--proxy-server=http://127.0.0.1:\(trap.port)", "--proxy-bypass-list=<-loopback>",
            "--user-data-dir=\(h.dir.appendingPathComponent("chromium").path)",
        ]
        let png = Self.artifacts.appendingPathComponent("report.png")
        try? FileManager.default.removeItem(at: png)
        _ = try Self.runChromium(flags + ["--window-size=1280,800", "--screenshot=\(png.path)", html.absoluteString])
        let shot = try Data(contentsOf: png)
        XCTAssertEqual(Array(shot.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        XCTAssertGreaterThan(shot.count, 20_000, "a page was drawn")
        let dom = try Self.runChromium(flags + ["--dump-dom", html.absoluteString])

        // Chromium's own services (clock, accounts, component updates) still call home through
        // the proxy; anything else would be the page's.
        let requests = trap.requests()
        let page = requests.filter { line in
            !Self.browserHosts.contains { line.contains(" \($0):") || line.contains("//\($0)/") } && line != "(connection)"
        }
        XCTAssertEqual(page, [], "the page requested nothing outside the file (all requests: \(requests))")
        XCTAssertEqual(dom.components(separatedBy: "<g class=\"row\"").count - 1, 200, "one row per instance")
        let failedRow = try XCTUnwrap(
            dom.components(separatedBy: "data-instance=\"\(broken)\"").dropFirst().first?.components(separatedBy: "</g>").first)
        XCTAssertTrue(failedRow.contains("data-state=\"failed\""), failedRow)
        XCTAssertTrue(failedRow.contains("<title>\(broken) (batch 2): failed: instance status Error"), "the failure carries its reason: \(failedRow)")
        let batchMarks = dom.components(separatedBy: "class=\"m m-batch-start\" data-batch=\"").dropFirst().compactMap { part -> (Int, Double)? in
            let batch = Int(part.prefix { $0.isNumber })
            let x = part.components(separatedBy: "x1=\"").dropFirst().first.flatMap { Double($0.prefix { $0 != "\"" }) }
            return batch.flatMap { b in x.map { (b, $0) } }
        }
        XCTAssertEqual(batchMarks.map(\.0), Array(1...6), "every batch start, in order")
        XCTAssertEqual(batchMarks.map(\.1), batchMarks.map(\.1).sorted(), "left to right")
        XCTAssertTrue(dom.contains("class=\"m m-control\""), "the operator's pause and resume are on the axis")
        XCTAssertTrue(dom.contains("class=\"mk mk-conflict\""), "409 waits are marked")
        XCTAssertTrue(dom.contains("class=\"mk mk-in-doubt\""), "the call in doubt is marked")
        XCTAssertFalse(dom.contains("<script"))
        for reference in ["src=\"", "href=\"", "url(", "@import"] { XCTAssertFalse(dom.contains(reference), reference) }
    }

    /// Where chromium itself phones, whatever page it shows (seen on Debian's chromium 156): its
    /// clock, accounts and component updates. Fonts or images (fonts.googleapis.com, …) are not here.
    static let browserHosts = [
        "clients2.google.com", "accounts.google.com", "update.googleapis.com", "redirector.gvt1.com",
        "edgedl.me.gvt1.com", "optimizationguide-pa.googleapis.com", "safebrowsing.googleapis.com",
    ]

    static func runChromium(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        // A page waiting on a request must fail the test, not hang it.
        let watchdog = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        watchdog.cancel()
        guard p.terminationStatus == 0 else { throw Harness.Failure("chromium exited \(p.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A dead-end HTTP proxy on a loopback port: it answers every request at once with 502 (so a
/// page that fetches something neither hangs nor gets it) and keeps each request's first line.
final class RequestTrap: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let lock = NSLock()
    private var lines: [String] = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else {
            close(fd)
            throw Harness.Failure("cannot listen on a loopback port")
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 2048)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let n = read(client, &buffer, buffer.count)
            let line = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? "" : "(connection)"
            lock.withLock { lines.append(line) }
            let answer = Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = write(client, answer, answer.count)
            close(client)
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// The first line of every request made so far.
    func requests() -> [String] { lock.withLock { lines } }
}
