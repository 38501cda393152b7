import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real Prometheus (Debian's `prometheus`, installed by `make bootstrap`) on a loopback port,
/// scraping one target every second, with an alerting rule `DemoUnhealthy` that fires while the
/// target's `demo_unhealthy` is above 0.
final class PrometheusFixture {
    static let binary = "/usr/bin/prometheus"
    let dir: URL
    private(set) var port = 0
    private var process: Process?

    init(dir: URL) { self.dir = dir.appendingPathComponent("prometheus") }

    var base: String { "http://127.0.0.1:\(port)" }

    func start(scraping target: String) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        groups:
          - name: demo
            rules:
              - alert: DemoUnhealthy
                expr: demo_unhealthy > 0
                labels: { severity: critical }
        """.write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        try """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        rule_files: [\(dir.appendingPathComponent("rules.yml").path)]
        scrape_configs:
          - job_name: demo
            static_configs: [{ targets: ["\(target)"] }]
        """.write(to: dir.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        port = try Self.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = [
            "--config.file=\(dir.appendingPathComponent("prometheus.yml").path)",
            "--storage.tsdb.path=\(dir.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        let deadline = Date() + 30
        while Date() < deadline {
            if (try? get("/-/ready").status) == 200 { return }
            usleep(200_000)
        }
        throw Harness.Failure("prometheus did not become ready on port \(port)")
    }

    func stop() {
        if let p = process, p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
    }

    deinit { stop() }

    /// How many series an instant query returns (nil when it fails).
    func seriesCount(_ query: String) -> Int? {
        var parts = URLComponents(string: base + "/api/v1/query")!
        parts.queryItems = [URLQueryItem(name: "query", value: query)]
        guard let url = parts.url, let (status, body) = try? get(url.absoluteString.replacingOccurrences(of: base, with: "")), status == 200,
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [Any]
        else { return nil }
        return result.count
    }

    func get(_ path: String) throws -> (status: Int, body: String) {
        final class Box: @unchecked Sendable { var result: Result<(Int, String), Error> = .failure(Harness.Failure("no answer")) }
        var request = URLRequest(url: URL(string: base + path)!)
        request.timeoutInterval = 5
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else {
                box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self)))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result.get()
    }

    /// A port nothing listens on now (bound, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Harness.Failure("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
