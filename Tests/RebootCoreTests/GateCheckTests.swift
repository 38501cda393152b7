import Foundation
import XCTest

@testable import RebootCore

/// Command gates run for real; Prometheus answers are read strictly (SPEC §4.14).
final class GateCheckTests: XCTestCase {
    let context = GateContext(planId: "20261128T010000Z-web", planName: "web", batch: 2, batchCount: 5)

    func run(_ argv: [String], timeout: TimeInterval = 10) -> GateResult {
        CommandGateRunner.runBlocking(argv, gate: "web-quorum", context: context, timeout: timeout)
    }

    func testExitCodeAndOutputDecide() {
        let passed = run(["/bin/sh", "-c", "echo quorum 3/3"])
        XCTAssertTrue(passed.passed)
        XCTAssertEqual(passed.detail, "exit 0: quorum 3/3")
        let blocked = run(["/bin/sh", "-c", "echo 'quorum 2/3'; echo 'db-2 down' >&2; exit 1"])
        XCTAssertFalse(blocked.passed)
        XCTAssertEqual(blocked.detail, "exit 1: quorum 2/3")
        XCTAssertEqual(blocked.output, "quorum 2/3\ndb-2 down\n", "stdout and stderr, together")
        let missing = run(["/nonexistent/check"])
        XCTAssertFalse(missing.passed)
        XCTAssertTrue(missing.detail.hasPrefix("cannot start /nonexistent/check"), missing.detail)
    }

    func testACommandPastItsTimeoutIsKilledWithItsChildren() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("gate-orphan-\(UUID().uuidString.prefix(8))").path
        let started = Date()
        let result = run(["/bin/sh", "-c", "echo checking; (sleep 3; touch \(marker)) & sleep 30"], timeout: 0.5)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "killed at its timeout")
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.detail, "timeout after 500ms, killed: checking")
        sleep(4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "its process group went too: no orphan ran on")
    }

    func testTheEnvironmentIsCleanAndNamesTheBatch() {
        setenv("BCE_SECRET_ACCESS_KEY", "gate-test-secret-123", 1)
        defer { unsetenv("BCE_SECRET_ACCESS_KEY") }
        let result = run(["/usr/bin/env"])
        let output = result.output ?? ""
        XCTAssertFalse(output.contains("gate-test-secret-123"), "the daemon's environment (which may hold the keys) is not passed on")
        XCTAssertTrue(output.contains("REBOOTD_BATCH=2\n"), output)
        XCTAssertTrue(output.contains("REBOOTD_DRY_RUN=0\n"), output)
        XCTAssertTrue(output.contains("REBOOTD_PLAN_ID=20261128T010000Z-web\n"), output)
        XCTAssertTrue(output.contains("PATH=/usr/local/sbin:"), output)
    }

    func testOnlyTheFirstKibibyteOfOutputIsKept() {
        let result = run(["/bin/sh", "-c", "yes xxxxxxxx | head -c 100000; exit 3"])
        XCTAssertEqual(result.output?.utf8.count, 1024)
        XCTAssertTrue(result.detail.hasPrefix("exit 3: xxx"))
        XCTAssertLessThanOrEqual(result.detail.count, 200)
    }

    func testPrometheusAnswers() {
        func read(_ json: String, status: Int = 200) -> GateResult { PrometheusAnswer.result(status: status, body: Data(json.utf8)) }
        XCTAssertEqual(read(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#), .passed("no series"))
        let firing = read(
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"ALERTS","alertname":"HighErrorRate","alertstate":"firing"},"value":[1,"1"]},{"metric":{},"value":[1,"1"]}]}}"#
        )
        XCTAssertEqual(firing, .blocked("2 series: ALERTS{alertname=HighErrorRate,alertstate=firing}"))
        XCTAssertEqual(
            read(#"{"status":"error","errorType":"bad_data","error":"parse error"}"#, status: 400),
            .blocked("prometheus error: HTTP 400, bad_data: parse error"))
        XCTAssertEqual(read("<html>proxy error</html>"), .blocked("malformed answer (not Prometheus API JSON)"))
        XCTAssertEqual(read("", status: 503), .blocked("HTTP 503"))
        XCTAssertEqual(
            read(#"{"status":"success","data":{"resultType":"scalar","result":[1,"0"]}}"#),
            .blocked("the query returned a scalar, not a vector"))
        XCTAssertEqual(read(#"{"status":"success"}"#), .blocked("malformed answer (no data)"))
    }

    func testTheQueryURLKeepsAPathPrefixAndEscapesPlus() throws {
        let url = try XCTUnwrap(
            LiveGateChecker.queryURL(
                base: URL(string: "http://prom.internal:9090/prometheus/")!,
                query: #"sum(up{job="web"}) + 1 < 3"#))
        XCTAssertEqual(url.path, "/prometheus/api/v1/query")
        XCTAssertTrue(url.absoluteString.contains("%2B"), url.absoluteString)
        XCTAssertFalse(url.query?.contains("+") ?? true)
    }

    /// Review finding: the daemon ignores SIGTERM, SIGINT and SIGHUP (service-lifecycle) and
    /// SIGPIPE (NIO), and a command inherited that, so `kill` and `timeout` inside a check did
    /// nothing. A command starts with every signal at its default and none blocked.
    func testACommandStartsWithDefaultSignals() {
        signal(SIGTERM, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGTERM, SIG_DFL) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGHUP)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let result = run(["/bin/sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; kill -TERM $$; echo survived"])
        XCTAssertFalse(result.output?.contains("survived") ?? true, result.output ?? "")
        XCTAssertTrue(result.detail.hasPrefix("killed by signal 15"), result.detail)
        XCTAssertTrue(result.output?.contains("SigBlk:\t0000000000000000") == true, result.output ?? "")
        // Signals 1-31; 32 and 33 are glibc's own (threads), outside what sigfillset covers.
        let ignored = result.output?.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
            .flatMap { UInt64($0.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) }
        XCTAssertEqual(try XCTUnwrap(ignored) & 0x7fff_ffff, 0, result.output ?? "")
    }

    /// Review finding: a command's background child outlived a check that had ended.
    func testACommandsLeftoverChildrenAreKilledWhenItExits() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("gate-leftover-\(UUID().uuidString.prefix(8))").path
        let started = Date()
        let result = run(["/bin/sh", "-c", "(sleep 2; touch \(marker)) & echo done"], timeout: 10)
        XCTAssertTrue(result.passed)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5, "the check does not wait for what its command left behind")
        sleep(3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }
}
