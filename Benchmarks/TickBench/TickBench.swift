import Foundation
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
            let journal = try SQLiteJournal(path: dir.appendingPathComponent("journal.sqlite").path)
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
            print(
                String(
                    format: "== tick: %6d finished plans in the journal: median %.3f ms, p95 %.3f ms (%d ticks)",
                    finished, times[times.count / 2], times[times.count * 95 / 100], ticks))
        }
        if let none = medians[0], let many = medians[10_000], none > 0 {
            print(String(format: "  ratio with 10,000 finished plans to none: %.2f", many / none))
        }
    }

    /// Journals `count` succeeded plans of `instancesPerPlan` instances each, as history, through
    /// the store's own inserts (one commit per plan).
    static func addFinishedPlans(_ count: Int, to journal: any JournalStore) throws {
        guard count > 0 else { return }
        let ids = (0..<instancesPerPlan).map { String(format: "i-bench%05d", $0) }
        let parameters = String(data: try JSONSerialization.data(withJSONObject: ["instances": ids, "batchSize": 5]), encoding: .utf8)!
        let at = "2026-01-01T00:00:00Z"
        for p in 0..<count {
            let id = String(format: "20260101T000000Z-history%05d", p)
            let plan = PlanRecord(
                id: id, name: "history\(p)", sourceFile: "history\(p).yaml", format: "yaml", sha256: String(format: "%064d", p),
                submitterUid: 0, submitterName: "root", submittedAt: at, state: "succeeded", parameters: parameters,
                instanceCount: instancesPerPlan, batchCount: 4, currentBatch: 3, updatedAt: at, finishedAt: at, reason: nil, stopRequest: nil)
            let instances = ids.enumerated().map { i, instance in
                PlanInstanceRecord(
                    planId: id, idx: i, instanceId: instance, batch: i / 5, state: "rebooted", attempts: 1, conflicts: 0, lastError: nil,
                    lastStatus: nil, observedNonRunning: true, startedAt: at, finishedAt: at, updatedAt: at)
            }
            try journal.insertPlan(
                plan, instances: instances,
                event: PlanEventRecord(id: nil, planId: id, at: at, kind: "submitted", detail: "history"))
        }
    }
}
