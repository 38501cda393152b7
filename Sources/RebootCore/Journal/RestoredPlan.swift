import Foundation

/// What the journal holds of one unfinished plan, read back at a restart (rules 4.6, 4.8,
/// 4.10, SPEC §4.13): the plan, the attempts each instance made, the attempts left without an
/// outcome, and how its last batch's end was journaled. Its instance rows are read a chunk at
/// a time (issue 10: all 100,000 at once took a restart to 96 MiB).
struct RestoredPlan {
    /// How the end of the plan's current batch was journaled.
    enum BatchEnd: Equatable {
        /// Not at all (a kill before the commit): the next pump ends the batch now.
        case notJournaled
        /// With its boot-clock stamp: the pause after it runs from that end on the boot clock
        /// of the same boot, and in full from now after another boot. The wall clock, which a
        /// step moves, never shortens it.
        case stamped(BootStamp)
        /// By a `batch-done` event without a stamp (a journal from before v7): a full pause from now.
        case unstamped
    }

    let record: PlanRecord
    let plan: Plan
    let attemptNumbers: [String: Int]
    let countedAttempts: [String: Int]
    let openAttempts: [String: AttemptRecord]

    /// The heads of every plan that had started and is not finished. A plan paused before it
    /// ever started is not one: it waits, queued, for its resume.
    static func unfinished(in journal: any JournalStore) throws -> [PlanRecord] {
        try journal.activePlanHeads().filter { record in
            record.state != PlanState.queued.rawValue
                && !(record.state == PlanState.paused.rawValue && record.currentBatch < 0 && record.stopRequest == nil)
        }
    }

    /// Reads one of them back (one plan at a time: their attempts are not all held at once).
    static func read(_ record: PlanRecord, in journal: any JournalStore) throws -> RestoredPlan? {
        guard let plan = try journal.decodedPlan(id: record.id) else { return nil }
        return RestoredPlan(
            record: record, plan: plan, attemptNumbers: try journal.attemptNumbers(planId: record.id),
            countedAttempts: try journal.countedAttempts(planId: record.id),
            openAttempts: Dictionary(try journal.openAttempts(planId: record.id).map { ($0.instanceId, $0) }, uniquingKeysWith: { $1 }))
    }

    /// Calls `body` with each instance row of the plan, with its attempts and its open attempt.
    func forEachInstance(
        in journal: any JournalStore, of run: PlanRun,
        _ body: (_ row: PlanInstanceRecord, _ attemptsMade: Int, _ countedMade: Int, _ open: AttemptRecord?) -> Void
    ) throws {
        try journal.forEachInstanceChunk(planId: record.id) { rows in
            for row in rows where row.idx < run.instances.count {
                let id = run.instances[row.idx].id
                body(row, attemptNumbers[id] ?? 0, countedAttempts[id] ?? 0, openAttempts[id])
            }
        }
    }

    /// How the end of batch `batch` was journaled.
    func batchEnd(_ batch: Int, in journal: any JournalStore) throws -> BatchEnd {
        if let done = try journal.batchDone(planId: record.id), done.batch == batch { return .stamped(done.boot) }
        let tag = "batch \(batch + 1)/"
        return try journal.events(planId: record.id).contains(where: { $0.kind == "batch-done" && $0.detail.hasPrefix(tag) })
            ? .unstamped : .notJournaled
    }
}
