import Foundation

/// What a validated plan file becomes in the journal when it is accepted (SPEC §3, §5): its
/// plan record (queued, with the decoded plan as JSON parameters), one pending row per
/// instance in its batch, and the `submitted` event.
struct PlanSubmission {
    let record: PlanRecord
    private let ids: [String]
    private let batches: [Range<Int>]
    let event: PlanEventRecord

    /// The first free id for `file` submitted at `now` (`taken` says whether one is used).
    static func id(for file: PlanFile, at now: Date, taken: (String) throws -> Bool) rethrows -> String {
        var id = "\(JournalTime.compact(now))-\(file.plan.name)"
        var n = 2
        while try taken(id) {
            id = "\(JournalTime.compact(now))-\(file.plan.name)-\(n)"
            n += 1
        }
        return id
    }

    /// The refusal of content that is already active as plan `existing`.
    static func duplicate(_ file: PlanFile, activeAs existing: String) -> ValidationError {
        ValidationError(
            file: file.fileName,
            problems: [
                ValidationProblem(path: "", message: "the same content (SHA-256 \(file.sha256.prefix(12))…) is already active as plan \(existing)")
            ])
    }

    init(_ file: PlanFile, id: String, at now: Date) throws {
        let parameters = String(decoding: try JSONEncoder().encode(file.plan), as: UTF8.self)
        let time = JournalTime.format(now)
        record = PlanRecord(
            id: id, name: file.plan.name, sourceFile: file.fileName, format: file.format.rawValue, sha256: file.sha256,
            submitterUid: Int(file.owner.uid), submitterName: file.owner.name, submittedAt: time,
            state: PlanState.queued.rawValue, parameters: parameters, instanceCount: file.plan.instances.count,
            batchCount: file.plan.layout.batches.count, currentBatch: -1, updatedAt: time, finishedAt: nil, reason: nil,
            ticket: file.plan.ticket)
        ids = file.plan.instances
        batches = file.plan.layout.batches
        let p = file.plan
        let summary =
            p.needsResolution
            ? (p.select.map { "select \($0.summary)" + (p.instances.isEmpty ? "" : " and \(p.instances.count) listed instances") }
                ?? "\(p.instances.count) instances") + ", batches laid out when it starts"
            : "\(p.instances.count) instances, \(p.layout.summary)"
        event = PlanEventRecord(
            id: nil, planId: id, at: time, kind: "submitted",
            detail: "from \(file.fileName) by \(file.owner.name) (uid \(file.owner.uid)), \(summary)")
    }

    /// One pending row per instance, made as the journal inserts them (100,000 rows are
    /// never held at once).
    var instances: some Sequence<PlanInstanceRecord> {
        let (ids, planId, time) = (ids, record.id, record.submittedAt)
        return batches.enumerated().lazy.flatMap { b, range in
            range.lazy.map { i in
                PlanInstanceRecord(
                    planId: planId, idx: i, instanceId: ids[i], batch: b, state: InstanceState.pending.rawValue, attempts: 0,
                    conflicts: 0, lastError: nil, lastStatus: nil, observedNonRunning: false, startedAt: nil,
                    finishedAt: nil, updatedAt: time)
            }
        }
    }
}
