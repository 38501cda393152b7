import Foundation
import GRDB

/// Reading, for the scheduler's resume and for `rebootctl`.
extension SQLiteJournal {
    public func plans() throws -> [PlanRecord] {
        try writer.read { db in try PlanRecord.order(Column("id")).fetchAll(db) }
    }

    /// How many plans are in each state, counted by SQLite (the `state` index): the status
    /// tick's metrics, without loading any plan (a 100,000-instance plan's parameters are MBs).
    public func planCountsByState() throws -> [String: Int] {
        try writer.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM plans GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
    }

    public func plan(id: String) throws -> PlanRecord? {
        try writer.read { db in try PlanRecord.fetchOne(db, key: id) }
    }

    public func planHead(id: String) throws -> PlanRecord? {
        try writer.read { db in
            try PlanRecord.filter(Column("id") == id)
                .select(.allColumns(excluding: ["parameters"]), SQL(sql: "'' AS parameters"))
                .fetchOne(db)
        }
    }

    public func activePlans() throws -> [PlanRecord] {
        try writer.read { db in
            try PlanRecord.filter(SQLiteJournal.activeStates.contains(Column("state"))).order(Column("id")).fetchAll(db)
        }
    }

    /// The active plans without their parameters (`parameters` is empty): what the scheduler
    /// scans on every activation, submission and `resume --all`. A 100,000-instance plan's
    /// parameters are 1.3 MB of JSON, and SQLite holds copies of them while a row is read
    /// (issue 10: they were alive beside the new plan's instances, at the daemon's peak).
    public func activePlanHeads() throws -> [PlanRecord] {
        try writer.read { db in
            try PlanRecord.filter(SQLiteJournal.activeStates.contains(Column("state")))
                .select(.allColumns(excluding: ["parameters"]), SQL(sql: "'' AS parameters"))
                .order(Column("id")).fetchAll(db)
        }
    }

    /// A plan's parameters, decoded; nil when the journal has no such plan. The JSON text is
    /// released before this returns.
    public func decodedPlan(id: String) throws -> Plan? {
        let text = try writer.read { db in
            try String.fetchOne(db, sql: "SELECT parameters FROM plans WHERE id = ?", arguments: [id])
        }
        guard let text else { return nil }
        return try PlanRecord.decode(parameters: text)
    }

    /// SHA-256 of every active plan, with its id.
    public func activeHashes() throws -> [String: String] {
        var out: [String: String] = [:]
        for plan in try activePlanHeads() { out[plan.sha256] = plan.id }
        return out
    }

    public func instances(planId: String) throws -> [PlanInstanceRecord] {
        try writer.read { db in
            try PlanInstanceRecord.filter(Column("planId") == planId).order(Column("idx")).fetchAll(db)
        }
    }

    /// Calls `body` with a plan's instance rows in index order, `readChunkRows` at a time, each
    /// chunk after its read has ended: a restart never holds a 100,000-instance plan's rows at
    /// once (issue 10: reading them all took a restarted daemon to 96 MiB).
    public func forEachInstanceChunk(planId: String, _ body: ([PlanInstanceRecord]) throws -> Void) throws {
        var from = 0
        while true {
            let start = from
            let limit = readChunkRows
            let rows = try writer.read { db in
                try PlanInstanceRecord.filter(Column("planId") == planId && Column("idx") >= start)
                    .order(Column("idx")).limit(limit).fetchAll(db)
            }
            guard let last = rows.last else { return }
            try body(rows)
            guard rows.count == limit else { return }
            from = last.idx + 1
        }
    }

    /// Instance counts by state, per plan.
    public func instanceCounts() throws -> [String: [String: Int]] {
        try writer.read { db in
            var out: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT planId, state, COUNT(*) AS n FROM plan_instances GROUP BY planId, state") {
                out[row["planId"], default: [:]][row["state"]] = row["n"]
            }
            return out
        }
    }

    public func instanceCounts(planId: String) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT state, COUNT(*) AS n FROM plan_instances WHERE planId = ? GROUP BY state", arguments: [planId])
            {
                out[row["state"]] = row["n"]
            }
            return out
        }
    }

    public func attempts(planId: String) throws -> [AttemptRecord] {
        try writer.read { db in
            try AttemptRecord.filter(Column("planId") == planId).order(Column("id")).fetchAll(db)
        }
    }

    public func attempts(instanceId: String) throws -> [AttemptRecord] {
        try writer.read { db in
            try AttemptRecord.filter(Column("instanceId") == instanceId).order(Column("id")).fetchAll(db)
        }
    }

    public func events(planId: String) throws -> [PlanEventRecord] {
        try writer.read { db in
            try PlanEventRecord.filter(Column("planId") == planId).order(Column("id")).fetchAll(db)
        }
    }

    public func controls(planId: String) throws -> [ControlRecord] {
        try writer.read { db in try ControlRecord.filter(Column("planId") == planId).order(Column("id")).fetchAll(db) }
    }

    /// The highest attempt number per instance of a plan, so numbers never repeat after a crash.
    public func attemptNumbers(planId: String) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT instanceId, MAX(attempt) AS n FROM attempts WHERE planId = ? GROUP BY instanceId",
                arguments: [planId])
            {
                out[row["instanceId"]] = row["n"]
            }
            return out
        }
    }

    /// Calls per instance of a plan that count against `retry.maxAttempts` (transient failures
    /// and in-doubt calls that never took effect), so a restart does not reset the count.
    public func countedAttempts(planId: String) throws -> [String: Int] {
        try writer.read { db in
            var out: [String: Int] = [:]
            let sql =
                "SELECT instanceId, COUNT(*) AS n FROM attempts WHERE planId = ? AND outcome IN ('transient', 'not-applied') GROUP BY instanceId"
            for row in try Row.fetchAll(db, sql: sql, arguments: [planId]) { out[row["instanceId"]] = row["n"] }
            return out
        }
    }

    /// Attempts of a plan with no outcome, or whose outcome was never learnt: in doubt.
    public func openAttempts(planId: String) throws -> [AttemptRecord] {
        try writer.read { db in
            try AttemptRecord.filter(Column("planId") == planId)
                .filter(Column("outcome") == nil || Column("outcome") == "in-doubt")
                .order(Column("id")).fetchAll(db)
        }
    }
}
