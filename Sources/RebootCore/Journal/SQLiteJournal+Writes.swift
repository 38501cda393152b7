import Foundation
import GRDB

/// Writing: plans and attempts commit at once; everything else is queued and committed
/// together by `flush()`, in order, in one transaction.
extension SQLiteJournal {
    /// `instances` is read once, inside the transaction: a lazy sequence keeps a 100,000-instance
    /// plan's rows from being materialised all at once (issue 10).
    /// `intake`, the spool file the plan came from, is recorded in the same transaction, so a plan
    /// is never in the journal without its file remembered.
    public func insertPlan(
        _ plan: PlanRecord, instances: some Sequence<PlanInstanceRecord>, event: PlanEventRecord,
        intake: (key: IntakeKey, fileName: String, at: Date)?
    ) throws {
        let queued = takePending()
        do {
            try writer.write { db in
                for write in queued { try write(db) }
                // GRDB keeps the record insert's statement cached with its last arguments, and
                // SQLite keeps a copy of every bound value: a 100,000-instance plan's parameters
                // (1.3 MB) would stay in memory twice for the daemon's life (issue 10). They
                // go in through a statement that is finalized at once.
                var head = plan
                head.parameters = ""
                try head.insert(db)
                try db.execute(sql: "UPDATE plans SET parameters = ? WHERE id = ?", arguments: [plan.parameters, plan.id])
                for instance in instances { try instance.insert(db) }
                try event.insert(db)
                if let intake { try Self.intakeInsert(intake.key, planId: plan.id, fileName: intake.fileName, at: intake.at)(db) }
            }
        } catch {
            restore(queued)
            throw error
        }
    }

    /// Commits queued writes and then the new attempts, before their calls are sent.
    /// Returns the attempts' row ids, in order.
    public func beginAttempts(_ attempts: [AttemptRecord]) throws -> [Int64] {
        let queued = takePending()
        do {
            return try writer.write { db in
                for write in queued { try write(db) }
                var ids: [Int64] = []
                for attempt in attempts {
                    try attempt.insert(db)
                    ids.append(db.lastInsertedRowID)
                }
                return ids
            }
        } catch {
            restore(queued)
            throw error
        }
    }

    /// Queues a write for the next `flush()`.
    public func enqueue(_ write: @escaping @Sendable (Database) throws -> Void) {
        pendingLock.lock()
        pending.append(write)
        pendingLock.unlock()
    }

    public var hasPending: Bool {
        pendingLock.lock()
        defer { pendingLock.unlock() }
        return !pending.isEmpty
    }

    /// Commits every queued write in one transaction. On failure (a full disk, a locked file)
    /// the writes stay queued, in order, for the next flush: nothing is dropped.
    public func flush() throws {
        let queued = takePending()
        guard !queued.isEmpty else { return }
        do {
            try writer.write { db in for write in queued { try write(db) } }
        } catch {
            restore(queued)
            throw error
        }
    }

    /// Whether writes are queued that have not been committed yet.
    public var hasPendingWrites: Bool {
        pendingLock.lock()
        defer { pendingLock.unlock() }
        return !pending.isEmpty
    }

    /// Puts writes that failed to commit back in front of anything queued since.
    func restore(_ writes: [@Sendable (Database) throws -> Void]) {
        pendingLock.lock()
        pending.insert(contentsOf: writes, at: 0)
        pendingLock.unlock()
    }

    func takePending() -> [@Sendable (Database) throws -> Void] {
        pendingLock.lock()
        let queued = pending
        pending.removeAll(keepingCapacity: true)
        pendingLock.unlock()
        return queued
    }

    // MARK: Queued row updates

    /// Updates the instance's row. A cached statement of the columns that change (an id and
    /// its batch never do): GRDB's record `update` encoded every column through `Encoder` on
    /// each call, an eighth of the daemon's CPU on a rate-limited plan (issue 10). As `update`
    /// does, a missing row is an error.
    public func save(instance r: PlanInstanceRecord) {
        enqueue { db in
            try db.cachedStatement(
                sql: """
                    UPDATE plan_instances SET state = ?, attempts = ?, conflicts = ?, lastError = ?, lastStatus = ?,
                      observedNonRunning = ?, startedAt = ?, finishedAt = ?, updatedAt = ?
                    WHERE planId = ? AND idx = ?
                    """
            ).execute(arguments: [
                r.state, r.attempts, r.conflicts, r.lastError, r.lastStatus, r.observedNonRunning,
                r.startedAt, r.finishedAt, r.updatedAt, r.planId, r.idx,
            ])
            if db.changesCount == 0 {
                throw RecordError.recordNotFound(
                    databaseTableName: PlanInstanceRecord.databaseTableName,
                    key: ["planId": r.planId.databaseValue, "idx": r.idx.databaseValue])
            }
        }
    }

    public func finishAttempt(
        id: Int64, at: Date, httpStatus: Int?, errorCode: String?, message: String?, requestId: String?, outcome: String
    ) {
        let finished = JournalTime.format(at)
        enqueue { db in
            try db.cachedStatement(
                sql: """
                    UPDATE attempts SET finishedAt = ?, httpStatus = ?, errorCode = ?, message = ?, requestId = ?, outcome = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [finished, httpStatus, errorCode, message, requestId, outcome, id])
        }
    }

    /// Marks an in-doubt attempt as resolved (`applied` or `not-applied`).
    public func resolveAttempt(id: Int64, outcome: String) {
        enqueue { db in try db.execute(sql: "UPDATE attempts SET outcome = ? WHERE id = ?", arguments: [outcome, id]) }
    }

    public func updatePlan(id: String, state: String, currentBatch: Int, at: Date, finished: Bool, reason: String?) {
        let time = JournalTime.format(at)
        enqueue { db in
            try db.execute(
                sql: """
                    UPDATE plans SET state = ?, currentBatch = ?, updatedAt = ?, finishedAt = CASE WHEN ? THEN ? ELSE finishedAt END,
                    reason = COALESCE(?, reason) WHERE id = ?
                    """, arguments: [state, currentBatch, time, finished, time, reason, id])
        }
    }

    /// Records a halt or a cancel; queued with the decision's other writes, so they commit together.
    public func setStop(planId: String, stop: PlanStop, at: Date, detail: String) {
        let time = JournalTime.format(at)
        enqueue { db in
            try db.execute(sql: "UPDATE plans SET stopRequest = ?, updatedAt = ? WHERE id = ?", arguments: [stop.rawValue, time, planId])
        }
        addEvent(planId: planId, at: at, kind: stop == .halt ? "halted" : "cancel", detail: detail)
    }

    /// Cancels the instances of a plan that never started (cancelled while queued).
    public func cancelPendingInstances(planId: String, at: Date) {
        let time = JournalTime.format(at)
        enqueue { db in
            try db.execute(
                sql: "UPDATE plan_instances SET state = 'cancelled', updatedAt = ? WHERE planId = ? AND state = 'pending'",
                arguments: [time, planId])
        }
    }

    public func addEvent(planId: String, at: Date, kind: String, detail: String) {
        let event = PlanEventRecord(id: nil, planId: planId, at: JournalTime.format(at), kind: kind, detail: detail)
        enqueue { db in try event.insert(db) }
    }

    public func addControl(_ control: ControlRecord) {
        enqueue { db in try control.insert(db) }
    }
}
