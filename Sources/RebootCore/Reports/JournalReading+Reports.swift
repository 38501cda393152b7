import Foundation

/// The reports `rebootctl status` prints, built from the journal.
extension JournalReading {
    public func summaryReports() throws -> [PlanSummaryReport] {
        let counts = try instanceCounts()
        return try plans().map { p in
            var report = PlanSummaryReport(
                id: p.id, name: p.name, ticket: p.ticket, state: p.state, submittedAt: p.submittedAt, submitter: p.submitterName,
                instances: p.instanceCount, currentBatch: p.currentBatch + 1, batchCount: p.batchCount,
                counts: Self.fullCounts(counts[p.id] ?? [:]), finishedAt: p.finishedAt, reason: p.reason)
            // The zone of the batch an active plan is in (ended plans: the report has them all).
            if p.finishedAt == nil, p.currentBatch >= 0 { report.zone = try batchZone(planId: p.id, batch: p.currentBatch) }
            return report
        }
    }

    /// One plan's summary, reading only that plan (its head, without its parameters, and its counts).
    public func summaryReport(planId: String) throws -> PlanSummaryReport? {
        guard let p = try planHead(id: planId) else { return nil }
        var report = PlanSummaryReport(
            id: p.id, name: p.name, ticket: p.ticket, state: p.state, submittedAt: p.submittedAt, submitter: p.submitterName,
            instances: p.instanceCount, currentBatch: p.currentBatch + 1, batchCount: p.batchCount,
            counts: Self.fullCounts(try instanceCounts(planId: planId)), finishedAt: p.finishedAt, reason: p.reason)
        if p.currentBatch >= 0 { report.zone = try batchZone(planId: planId, batch: p.currentBatch) }
        return report
    }

    public func detailReport(planId: String) throws -> PlanDetailReport? {
        guard let p = try plan(id: planId) else { return nil }
        let rows = try instances(planId: planId)
        var counts: [String: Int] = [:]
        for r in rows { counts[r.state, default: 0] += 1 }
        return PlanDetailReport(
            id: p.id, name: p.name, ticket: p.ticket, state: p.state, sourceFile: p.sourceFile, sha256: p.sha256, submittedAt: p.submittedAt,
            submitter: FileOwner(uid: UInt32(p.submitterUid), name: p.submitterName), currentBatch: p.currentBatch + 1,
            batchCount: p.batchCount, counts: Self.fullCounts(counts), finishedAt: p.finishedAt, reason: p.reason,
            instances: rows.map {
                .init(
                    id: $0.instanceId, state: $0.state, batch: $0.batch + 1, attempts: $0.attempts, conflicts: $0.conflicts,
                    lastError: $0.lastError, lastStatus: $0.lastStatus, observedNonRunning: $0.observedNonRunning,
                    startedAt: $0.startedAt, finishedAt: $0.finishedAt, zone: $0.zone, reason: $0.endReason)
            })
    }

    /// Every instance state present, zeros included, so scripts need no defaults.
    static func fullCounts(_ partial: [String: Int]) -> [String: Int] {
        var out = partial
        for s in InstanceState.allCases where out[s.rawValue] == nil { out[s.rawValue] = 0 }
        return out
    }
}
