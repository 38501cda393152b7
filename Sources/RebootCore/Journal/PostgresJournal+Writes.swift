import Foundation
import PostgresNIO

/// Writing, as the SQLite journal does: plans and attempts commit at once, after the queued
/// writes; everything else is queued (as statements) and committed together by `flush()`, in
/// order, in one transaction. A commit that fails keeps its writes queued, in front of any
/// queued since.
extension PostgresJournal {
    /// The instance rows go in as multi-row inserts of `insertChunkRows` rows, built on the
    /// calling thread before the transaction starts (the binds of a 100,000-instance plan are a
    /// few MB while it commits).
    public func insertPlan(
        _ plan: PlanRecord, instances: some Sequence<PlanInstanceRecord>, event: PlanEventRecord,
        intake: (key: IntakeKey, fileName: String, at: Date)?
    ) throws {
        var built = [plan.postgresInsert]
        built += instanceInserts(instances.lazy.map { ($0, String?.none) })
        built.append(event.postgresInsert)
        if let intake { built.append(Self.intakeInsert(intake.key, planId: plan.id, fileName: intake.fileName, at: intake.at)) }
        let statements = built
        let queued = takePending()
        let fence = self.fence
        let held: Bool
        do {
            // Any host journals the plans its spool takes in (SPEC §4.16); what was queued is
            // fenced.
            held = try call("insert plan \(plan.id)") { t in
                let left = try await Self.applyQueued(queued, in: t, fence: fence)
                for statement in statements { try await t.query(statement) }
                return left != nil
            }
        } catch {
            restore(queued)
            throw error
        }
        if !held { fencedOut(fence, dropped: queued.filter { !$0.isOutcome }.count) }
    }

    /// Commits the queued writes and then the attempts, one insert each (ids in order).
    public func beginAttempts(_ attempts: [AttemptRecord]) throws -> [Int64] {
        guard fence == .unfenced else { return try beginLeasedAttempts(attempts).ids }
        let queued = takePending()
        let inserts = attempts.map(\.postgresInsert)
        do {
            return try call("begin attempts") { t in
                for write in queued { try await Self.apply(write, in: t) }
                var ids: [Int64] = []
                for insert in inserts {
                    guard let id = try await t.query(insert).first else {
                        throw PostgresJournalError.badRow(call: "begin attempts", reason: "no id returned")
                    }
                    ids.append(try id.decode(Int64.self))
                }
                return ids
            }
        } catch {
            restore(queued)
            throw error
        }
    }

    /// Commits every queued write in one transaction; on failure they stay queued, in order.
    public func flush() throws {
        let queued = takePending()
        guard !queued.isEmpty else { return }
        let fence = self.fence
        let held: Bool
        do {
            held = try call("flush") { t in try await Self.applyQueued(queued, in: t, fence: fence) != nil }
        } catch {
            restore(queued)
            throw error
        }
        guard !held else { return }
        let dropped = queued.filter { !$0.isOutcome }.count
        fencedOut(fence, dropped: dropped)
        // The caller must not take dropped writes for committed ones (a control file would be
        // removed, its effect lost).
        if dropped > 0 {
            if case .leading(let epoch, _, _) = fence { throw PostgresJournalError.leaseLost(epoch: epoch) }
            throw PostgresJournalError.notLeader
        }
    }

    public var hasPendingWrites: Bool {
        pendingLock.withLock { !pending.isEmpty }
    }

    // MARK: The queue

    /// Queues statements for the next commit.
    func enqueue(_ writes: PostgresWrite...) {
        enqueue(writes)
    }

    func enqueue(_ writes: [PostgresWrite]) {
        pendingLock.withLock { pending.append(contentsOf: writes) }
    }

    func takePending() -> [PostgresWrite] {
        pendingLock.withLock {
            let queued = pending
            pending.removeAll(keepingCapacity: true)
            return queued
        }
    }

    /// Puts writes that failed to commit back in front of anything queued since.
    func restore(_ writes: [PostgresWrite]) {
        pendingLock.withLock { pending.insert(contentsOf: writes, at: 0) }
    }

    /// Runs one queued write; one that must change a row and changed none fails the commit.
    static func apply(_ write: PostgresWrite, in t: PostgresTransaction) async throws {
        let rows = try await t.query(write.query)
        if let missing = write.mustChange, rows.isEmpty { throw missing }
    }

    /// Multi-row inserts of instance rows (with their zones), `insertChunkRows` rows each.
    func instanceInserts(_ rows: some Sequence<(PlanInstanceRecord, String?)>) -> [PostgresQuery] {
        let chunk = settings.insertChunkRows
        let perRow = PlanInstanceRecord.postgresBindsPerRow
        func sql(rows: Int) -> String {
            var text = "INSERT INTO plan_instances (\(PlanInstanceRecord.postgresColumns), zone) VALUES "
            for row in 0..<rows {
                text += row == 0 ? "(" : ", ("
                for column in 1...perRow { text += column == 1 ? "$\(row * perRow + column)" : ", $\(row * perRow + column)" }
                text += ")"
            }
            return text
        }
        var fullChunk: String? = nil
        var queries: [PostgresQuery] = []
        var binds = PostgresBindings(capacity: chunk * perRow)
        var count = 0
        for (row, zone) in rows {
            row.appendBinds(to: &binds, zone: zone)
            count += 1
            if count == chunk {
                if fullChunk == nil { fullChunk = sql(rows: chunk) }
                queries.append(PostgresQuery(unsafeSQL: fullChunk!, binds: binds))
                binds = PostgresBindings(capacity: chunk * perRow)
                count = 0
            }
        }
        if count > 0 { queries.append(PostgresQuery(unsafeSQL: sql(rows: count), binds: binds)) }
        return queries
    }
}
