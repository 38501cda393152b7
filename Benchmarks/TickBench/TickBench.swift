import Foundation
import GRDB
import RebootCore

/// `make bench`'s tick case (issue 10): the daemon's 10-second status/metrics tick (scheduler
/// snapshot, STATUS line, finished-plan counts, metrics file) timed on a journal holding no
/// finished plan and on one holding 10,000. Prints medians; asserts nothing.
@main
struct TickBench {
    static let instancesPerPlan = 20
    static let ticks = 200

    static func main() throws {
        var medians: [Int: Double] = [:]
        for finished in [0, 10_000] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tickbench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let journal = try Journal(path: dir.appendingPathComponent("journal.sqlite").path)
            try addFinishedPlans(finished, to: journal)
            let scheduler = Scheduler(journal: journal, settings: SchedulerSettings(), api: { _ in fatalError("no calls") })
            try scheduler.start()
            let metrics = RebootMetrics()
            let finishedCounts = FinishedPlanCounts()
            let metricsPath = dir.appendingPathComponent("rebootd.prom").path
            var times: [Double] = []
            for _ in 0..<ticks {
                let start = DispatchTime.now().uptimeNanoseconds
                let snapshot = scheduler.snapshot()
                _ = RebootDaemon.statusLine(snapshot)
                let counts = finishedCounts.counts(journal: journal, snapshot: snapshot)
                _ = metrics.write(to: metricsPath, snapshot: snapshot, planCounts: counts)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            medians[finished] = times[times.count / 2]
            print(String(format: "== tick: %6d finished plans in the journal: median %.3f ms, p95 %.3f ms (%d ticks)",
                         finished, times[times.count / 2], times[times.count * 95 / 100], ticks))
        }
        if let none = medians[0], let many = medians[10_000], none > 0 {
            print(String(format: "  ratio with 10,000 finished plans to none: %.2f", many / none))
        }
    }

    /// Journals `count` succeeded plans of `instancesPerPlan` instances each, as history.
    static func addFinishedPlans(_ count: Int, to journal: Journal) throws {
        guard count > 0 else { return }
        let ids = (0..<instancesPerPlan).map { String(format: "i-bench%05d", $0) }
        let parameters = String(data: try JSONSerialization.data(withJSONObject: ["instances": ids, "batchSize": 5]), encoding: .utf8)!
        journal.enqueue { db in
            let at = "2026-01-01T00:00:00Z"
            for p in 0..<count {
                let id = String(format: "20260101T000000Z-history%05d", p)
                try db.execute(sql: """
                    INSERT INTO plans (id, name, sourceFile, format, sha256, submitterUid, submitterName, submittedAt, state,
                      parameters, instanceCount, batchCount, currentBatch, updatedAt, finishedAt)
                    VALUES (?, ?, ?, 'yaml', ?, 0, 'root', ?, 'succeeded', ?, ?, 4, 3, ?, ?)
                    """, arguments: [id, "history\(p)", "history\(p).yaml", String(format: "%064d", p), at, parameters,
                                     instancesPerPlan, at, at])
                for (i, instance) in ids.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO plan_instances (planId, idx, instanceId, batch, state, attempts, conflicts,
                          observedNonRunning, startedAt, finishedAt, updatedAt)
                        VALUES (?, ?, ?, ?, 'rebooted', 1, 0, 1, ?, ?, ?)
                        """, arguments: [id, i, instance, i / 5, at, at, at])
                }
            }
        }
        try journal.flush()
    }
}
