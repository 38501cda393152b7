import Foundation
import PostgresNIO

/// The writes queued for the next commit (`flush()`, an insert or an attempt's begin), as the
/// SQLite journal's: the same statements, the same effects.
extension PostgresJournal {
    /// Updates the instance's row (everything but its plan, index, id and batch); a missing row
    /// fails the commit.
    public func save(instance r: PlanInstanceRecord) {
        enqueue(
            PostgresWrite(
                """
                UPDATE plan_instances SET state = \(r.state), attempts = \(r.attempts), conflicts = \(r.conflicts),
                  lastError = \(r.lastError), lastStatus = \(r.lastStatus), observedNonRunning = \(r.observedNonRunning),
                  startedAt = \(r.startedAt), finishedAt = \(r.finishedAt), updatedAt = \(r.updatedAt)
                WHERE planId = \(r.planId) AND idx = \(r.idx)
                RETURNING 1
                """, mustChange: .rowNotFound(table: "plan_instances", key: "planId \(r.planId), idx \(r.idx)")))
    }

    public func finishAttempt(
        id: Int64, at: Date, httpStatus: Int?, errorCode: String?, message: String?, requestId: String?, outcome: String
    ) {
        let finished = JournalTime.format(at)
        enqueue(
            PostgresWrite(
                """
                UPDATE attempts SET finishedAt = \(finished), httpStatus = \(httpStatus), errorCode = \(errorCode), message = \(message),
                  requestId = \(requestId), outcome = \(outcome)
                WHERE id = \(id)
                """, isOutcome: true))
    }

    public func resolveAttempt(id: Int64, outcome: String) {
        enqueue(PostgresWrite("UPDATE attempts SET outcome = \(outcome) WHERE id = \(id)", isOutcome: true))
    }

    public func updatePlan(id: String, state: String, currentBatch: Int, at: Date, finished: Bool, reason: String?) {
        let time = JournalTime.format(at)
        enqueue(
            PostgresWrite(
                """
                UPDATE plans SET state = \(state), currentBatch = \(currentBatch), updatedAt = \(time),
                  finishedAt = CASE WHEN \(finished) THEN \(time) ELSE finishedAt END, reason = COALESCE(\(reason), reason)
                WHERE id = \(id)
                """))
    }

    public func setStop(planId: String, stop: PlanStop, at: Date, detail: String) {
        let time = JournalTime.format(at)
        enqueue(PostgresWrite("UPDATE plans SET stopRequest = \(stop.rawValue), updatedAt = \(time) WHERE id = \(planId)"))
        addEvent(planId: planId, at: at, kind: stop == .halt ? "halted" : "cancel", detail: detail)
    }

    public func cancelPendingInstances(planId: String, at: Date) {
        let time = JournalTime.format(at)
        enqueue(
            PostgresWrite(
                "UPDATE plan_instances SET state = 'cancelled', updatedAt = \(time) WHERE planId = \(planId) AND state = 'pending'"))
    }

    public func addEvent(planId: String, at: Date, kind: String, detail: String) {
        enqueue(PostgresWrite(PlanEventRecord(planId: planId, at: JournalTime.format(at), kind: kind, detail: detail).postgresInsert))
    }

    public func addControl(_ control: ControlRecord) {
        enqueue(PostgresWrite(control.postgresInsert))
    }

    public func setBatchDone(planId: String, batch: Int, boot: BootStamp) {
        enqueue(
            PostgresWrite(
                """
                UPDATE plans SET batchDoneBatch = \(batch), batchDoneBoottimeNs = \(boot.nanoseconds), batchDoneBootId = \(boot.bootId)
                WHERE id = \(planId)
                """))
    }

    /// A plan's resolution (SPEC §2, issue 26): its parameters become `plan`, its instance rows
    /// those of `plan` in their batches with their zones, and a `selected` event.
    public func resolvePlan(id: String, plan: Plan, at: Date, detail: String) throws {
        let parameters = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        let layout = plan.layout
        let time = JournalTime.format(at)
        var writes = [
            PostgresWrite("DELETE FROM plan_instances WHERE planId = \(id)"),
            PostgresWrite(
                """
                UPDATE plans SET parameters = \(parameters), instanceCount = \(plan.instances.count), batchCount = \(layout.batches.count),
                  updatedAt = \(time)
                WHERE id = \(id)
                """),
        ]
        let rows = layout.batches.enumerated().lazy.flatMap { b, range in
            range.lazy.map { i in
                (
                    PlanInstanceRecord(
                        planId: id, idx: i, instanceId: plan.instances[i], batch: b, state: "pending", attempts: 0, conflicts: 0,
                        observedNonRunning: false, updatedAt: time),
                    plan.instanceZones.flatMap { $0[i].isEmpty ? nil : $0[i] }
                )
            }
        }
        writes += instanceInserts(rows).map { PostgresWrite($0) }
        writes.append(PostgresWrite(PlanEventRecord(planId: id, at: time, kind: "selected", detail: detail).postgresInsert))
        enqueue(writes)
    }
}
