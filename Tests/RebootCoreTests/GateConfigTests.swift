import Foundation
import XCTest

@testable import RebootCore

/// The `gates`, `gateInterval`, `gateTimeout` and `notify` keys (SPEC §6), and plans naming gates.
final class GateConfigTests: XCTestCase {
    func parse(_ yaml: String) throws -> RebootdConfig { try ConfigLoader.parse(yaml, file: "rebootd.yaml") }

    /// Asserts that every prefix starts one of the problems found.
    func assertProblems(_ found: [String], _ prefixes: [String], file: StaticString = #filePath, line: UInt = #line) {
        for prefix in prefixes where !found.contains(where: { $0.hasPrefix(prefix) }) {
            XCTFail("no problem starts with \"\(prefix)\" in \(found)", file: file, line: line)
        }
    }

    /// A scratch directory, removed after the test.
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// The contract's PostgreSQL journal (§4.16) is accepted (`PostgresJournalConfigTests` has
    /// its refusals); anything else that is not an absolute path is refused as one.
    func testAPostgreSQLJournalIsAcceptedAndARelativePathRefused() throws {
        XCTAssertEqual(try parse("journal: postgresql://rebootd@db.example/rebootd\n").journalLocation?.host, "db.example")
        XCTAssertEqual(problems("journal: journal.sqlite\n"), ["journal: must be an absolute path (a SQLite file) or a postgresql:// URL"])
    }

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, file: "rebootd.yaml")
            return []
        } catch { return error.problems.map { "\($0.path): \($0.message)" } }
    }

    func testEachGateKindParses() throws {
        let c = try parse(
            """
            gates:
              no-critical-alerts:
                prometheus: http://127.0.0.1:9090/prom
                query: 'ALERTS{alertstate="firing",severity="critical"}'
              web-healthy:
                http: https://web.internal/healthz
                timeout: 3s
              web-quorum:
                command: [/usr/local/lib/rebootd/check-quorum, --cluster, web]
                timeout: 60s
            gateInterval: 15s
            gateTimeout: 20m
            """)
        XCTAssertEqual(
            c.gates["no-critical-alerts"]?.kind,
            .prometheus(base: URL(string: "http://127.0.0.1:9090/prom")!, query: "ALERTS{alertstate=\"firing\",severity=\"critical\"}"))
        XCTAssertEqual(c.gates["no-critical-alerts"]?.timeout, 10)
        XCTAssertEqual(c.gates["web-healthy"]?.kind, .http(URL(string: "https://web.internal/healthz")!))
        XCTAssertEqual(c.gates["web-healthy"]?.timeout, 3)
        XCTAssertEqual(c.gates["web-quorum"]?.kind, .command(["/usr/local/lib/rebootd/check-quorum", "--cluster", "web"]))
        XCTAssertEqual(c.gateInterval, 15)
        XCTAssertEqual(c.gateTimeout, 1200)
        XCTAssertEqual(c.schedulerSettings.gates.count, 3)
    }

    func testBadGatesNameWhatToFix() {
        let found = problems(
            """
            gates:
              two: { http: https://a.example/, command: [/bin/true] }
              none: { timeout: 5s }
              noquery: { prometheus: http://127.0.0.1:9090 }
              relative: { command: [check-quorum] }
              ftp: { http: ftp://a.example/ }
              typo: { htp: https://a.example/ }
              stray: { http: https://a.example/, query: up }
            gateInterval: 0s
            """)
        assertProblems(
            found,
            [
                "gates.two: has http and command; a gate is exactly one kind",
                "gates.none: needs exactly one of",
                "gates.noquery.query: is required with prometheus",
                "gates.relative.command[0]: must be an absolute path",
                "gates.ftp.http: must be an http:// or https:// URL",
                "gates.typo.htp: unknown key",
                "gates.stray.query: only a prometheus gate takes a query",
                "gateInterval:",
            ])
    }

    func testNotifyTargetsParseAndKeepTheirURLOutOfMessages() throws {
        let dir = try scratch()
        let secretURL = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN-s3cr3t-77"
        let good = dir.appendingPathComponent("hook")
        try (secretURL + "\n").write(to: good, atomically: true, encoding: .utf8)
        chmod(good.path, 0o600)
        let open = dir.appendingPathComponent("open")
        try (secretURL + "\n").write(to: open, atomically: true, encoding: .utf8)
        chmod(open.path, 0o644)

        let c = try parse(
            """
            notify:
              - url: https://hooks.slack.com/services/T/B/X
                format: slack
                events: [plan-started, plan-finished, account-paused]
              - urlFile: \(good.path)
                format: dingtalk
                name: ops-dingtalk
            """)
        XCTAssertEqual(c.notify.count, 2)
        XCTAssertEqual(c.notify[0].label, "0")
        XCTAssertEqual(c.notify[0].format, .slack)
        XCTAssertEqual(c.notify[0].events, ["plan-started", "plan-finished", "account-paused"])
        XCTAssertEqual(c.notify[1].url.absoluteString, secretURL)
        XCTAssertEqual(c.notify[1].label, "ops-dingtalk")
        XCTAssertNil(c.notify[1].events, "every event by default")

        let found = problems(
            """
            notify:
              - url: http://hooks.example/x?token=TOKEN-s3cr3t-77
              - urlFile: \(open.path)
              - url: https://a.example/
                format: teams
                events: [plan-exploded]
              - { url: https://a.example/, urlFile: \(good.path) }
              - { format: json }
            """)
        assertProblems(
            found,
            [
                "notify[0].url: http:// is only allowed to a loopback address",
                "notify[1].urlFile: \(open.path) can be read by group or others",
                "notify[2].format: must be one of json, slack, dingtalk, feishu",
                "notify[2].events[0]: unknown event \"plan-exploded\"",
                "notify[3]: has both url and urlFile",
                "notify[4]: needs url or urlFile",
            ])
        XCTAssertFalse(found.joined().contains("TOKEN-s3cr3t-77"), "no message quotes a target's URL")
    }

    func testRebootctlReadsTheConfigWithoutTheDaemonsURLFile() throws {
        let yaml = "notify:\n  - urlFile: /nonexistent/hook-url\n"
        XCTAssertFalse(problems(yaml).isEmpty, "the daemon must read it")
        XCTAssertNoThrow(try ConfigLoader.parse(yaml, file: "rebootd.yaml", readURLFiles: false))
    }

    func testAPlanNamingAGateTheConfigDoesNotDefineIsRejected() throws {
        let parser = PlanParser(knownRegions: [], knownGates: ["web-quorum", "no-critical-alerts"])
        let plan = try parser.parse("instances: [i-1]\nbatchSize: 1\nhealthGates: [web-quorum]\n", fileName: "p.yaml", format: .yaml)
        XCTAssertEqual(plan.healthGates, ["web-quorum"])
        XCTAssertThrowsError(
            try parser.parse("instances: [i-1]\nbatchSize: 1\nhealthGates: [web-quorum, web-qorum]\n", fileName: "p.yaml", format: .yaml)
        ) { error in
            let text = (error as? ValidationError)?.problems.map { "\($0.path): \($0.message)" } ?? []
            XCTAssertEqual(text, ["healthGates[1]: unknown gate \"web-qorum\"; gates in the config: no-critical-alerts, web-quorum"])
        }
        XCTAssertThrowsError(
            try PlanParser(knownRegions: [], knownGates: []).parse(
                "instances: [i-1]\nbatchSize: 1\nhealthGates: [a]\n", fileName: "p.yaml", format: .yaml)
        ) { error in
            XCTAssertTrue("\(error)".contains("the config defines no gates"), "\(error)")
        }
        XCTAssertThrowsError(try parser.parse("instances: [i-1]\nbatchSize: 1\nhealthGates: web-quorum\n", fileName: "p.yaml", format: .yaml))
        XCTAssertThrowsError(
            try parser.parse("instances: [i-1]\nbatchSize: 1\nhealthGates: [web-quorum, web-quorum]\n", fileName: "p.yaml", format: .yaml))
    }

    func testGateNamesSurviveTheJournalsParameters() throws {
        var plan = Plan(name: "p", instances: ["i-1"], batchSize: .fixed(.count(1)))
        XCTAssertFalse(
            String(decoding: try JSONEncoder().encode(plan), as: UTF8.self).contains("healthGates"),
            "plans without gates are journaled as before")
        plan.healthGates = ["web-quorum"]
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: JSONEncoder().encode(plan)).healthGates, ["web-quorum"])
    }

    /// Review findings: settings that cannot work, and a urlFile that is a symlink or a FIFO
    /// (which hung the start), are refused with what to fix.
    func testSettingsThatCannotWorkAreRefused() throws {
        let dir = try scratch()
        let real = dir.appendingPathComponent("hook")
        try "https://hooks.example/x\n".write(to: real, atomically: true, encoding: .utf8)
        chmod(real.path, 0o600)
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        let fifo = dir.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        let found = problems(
            """
            gateInterval: 10m
            gateTimeout: 5m
            notify:
              - { url: https://a.example/, events: [] }
              - { urlFile: \(link.path) }
              - { urlFile: \(fifo.path) }
            """)
        assertProblems(
            found,
            [
                "gateInterval: (10m) must not be longer than gateTimeout (5m)",
                "notify[0].events: is empty",
            ])
        XCTAssertTrue(found.contains { $0.hasPrefix("notify[1].urlFile:") && $0.contains("a symlink") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("notify[2].urlFile:") && $0.contains("must be a regular file") }, "\(found)")
        let many = (1...33).map { "g\($0)" }
        XCTAssertThrowsError(
            try PlanParser(knownGates: Set(many)).parse(
                "instances: [i-1]\nbatchSize: 1\nhealthGates: [\(many.joined(separator: ", "))]\n", fileName: "p.yaml", format: .yaml)
        ) { error in
            XCTAssertTrue("\(error)".contains("names 33 gates; at most 32"), "\(error)")
        }
    }
}
