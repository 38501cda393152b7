import Foundation
import XCTest

@testable import RebootCore

/// Every metric is present from the start at zero, counts what the scheduler reports, and the
/// file is replaced atomically.
final class RebootMetricsTests: XCTestCase {
    func testSeriesPresentAtZeroThenCounted() throws {
        let metrics = RebootMetrics()
        let empty = SchedulerSnapshot(plans: [], rateLimitTokens: 10, currentRate: 10, inFlight: 0)
        let first = metrics.render(snapshot: empty)
        XCTAssertTrue(first.contains(#"rebootd_api_calls_total{call="reboot",outcome="conflict"} 0"#))
        XCTAssertTrue(first.contains(#"rebootd_reboots_total{outcome="failed"} 0"#))
        XCTAssertTrue(first.contains(#"rebootd_instances{state="waiting"} 0"#))
        XCTAssertTrue(first.contains(#"rebootd_plans{state="waiting-window"} 0"#))
        XCTAssertTrue(first.contains("rebootd_throttled_total 0"))
        XCTAssertTrue(first.contains("rebootd_last_success_timestamp_seconds 0"))

        metrics.apiCall("reboot", outcome: "conflict", duration: 0.02)
        metrics.conflict()
        metrics.throttled()
        metrics.rebootFinished(outcome: .rebooted)
        metrics.rebootAccepted(at: Date(timeIntervalSince1970: 1_800_000_000))
        let snapshot = SchedulerSnapshot(
            plans: [.init(id: "p-web", state: .running, currentBatch: 0, batchCount: 2, counts: [.rebooting: 3, .pending: 7])],
            rateLimitTokens: 4, currentRate: 5, inFlight: 1)
        let text = metrics.render(snapshot: snapshot, planCounts: ["succeeded": 2])
        XCTAssertTrue(text.contains(#"rebootd_api_calls_total{call="reboot",outcome="conflict"} 1"#))
        XCTAssertTrue(text.contains("rebootd_conflicts_total 1"))
        XCTAssertTrue(text.contains("rebootd_throttled_total 1"))
        XCTAssertTrue(text.contains(#"rebootd_reboots_total{outcome="rebooted"} 1"#))
        XCTAssertTrue(text.contains(#"rebootd_instances{state="rebooting"} 3"#))
        XCTAssertTrue(text.contains(#"rebootd_plans{state="running"} 1"#))
        XCTAssertTrue(text.contains(#"rebootd_plans{state="succeeded"} 2"#))
        XCTAssertTrue(text.contains("rebootd_rate_limit_current_rps 5"))
        XCTAssertTrue(text.contains("rebootd_last_success_timestamp_seconds 1800000000"))
        XCTAssertTrue(text.contains(#"rebootd_api_call_duration_seconds_bucket{le="0.05"} 1"#))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prom-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("rebootd.prom").path
        XCTAssertTrue(metrics.write(to: path, snapshot: snapshot))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["rebootd.prom"], "no temporary file left")
    }

    /// Under the unit's `UMask=0027` the file is still 0644: node-exporter runs as another user.
    func testTheMetricsFileIsWorldReadableWhateverTheUmask() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prom-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("rebootd.prom").path
        let old = umask(0o027)
        defer { umask(old) }
        let empty = SchedulerSnapshot(plans: [], rateLimitTokens: 10, currentRate: 10, inFlight: 0)
        XCTAssertTrue(RebootMetrics().write(to: path, snapshot: empty))
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o644)
    }
}
