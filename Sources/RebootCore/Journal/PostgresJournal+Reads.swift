import Foundation
import PostgresNIO

/// Reading, for the scheduler's resume and for `rebootctl`: each read is one call (one
/// transaction), and sees what has been committed.
extension PostgresJournal {
    /// Runs one query and maps its rows.
    func rows<T: Sendable>(_ name: String, _ query: PostgresQuery, _ map: @escaping @Sendable (PostgresRow) throws -> T) throws -> [T] {
        try call(name) { t in try await t.query(query).map(map) }
    }

    /// Rows of (key, count) as a dictionary.
    func counts(_ name: String, _ query: PostgresQuery) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for (key, n) in try rows(name, query, { try $0.decode((String, Int).self) }) { out[key] = n }
        return out
    }

    public func plans() throws -> [PlanRecord] {
        try rows("plans", "SELECT \(unescaped: PlanRecord.postgresColumns) FROM plans ORDER BY id", PlanRecord.init(postgres:))
    }

    public func planCountsByState() throws -> [String: Int] {
        try counts("plan counts", "SELECT state, COUNT(*) FROM plans GROUP BY state")
    }

    public func plan(id: String) throws -> PlanRecord? {
        try rows("plan", "SELECT \(unescaped: PlanRecord.postgresColumns) FROM plans WHERE id = \(id)", PlanRecord.init(postgres:)).first
    }

    public func planHead(id: String) throws -> PlanRecord? {
        try rows("plan head", "SELECT \(unescaped: PlanRecord.postgresHeadColumns) FROM plans WHERE id = \(id)", PlanRecord.init(postgres:))
            .first
    }

    public func activePlans() throws -> [PlanRecord] {
        try rows(
            "active plans",
            "SELECT \(unescaped: PlanRecord.postgresColumns) FROM plans WHERE state = ANY(\(SQLiteJournal.activeStates)) ORDER BY id",
            PlanRecord.init(postgres:))
    }

    /// The active plans without their parameters (`parameters` is empty), as the SQLite journal
    /// reads them: a 100,000-instance plan's parameters are 1.3 MB of JSON.
    public func activePlanHeads() throws -> [PlanRecord] {
        try rows(
            "active plan heads",
            "SELECT \(unescaped: PlanRecord.postgresHeadColumns) FROM plans WHERE state = ANY(\(SQLiteJournal.activeStates)) ORDER BY id",
            PlanRecord.init(postgres:))
    }

    public func decodedPlan(id: String) throws -> Plan? {
        let text = try rows("plan parameters", "SELECT parameters FROM plans WHERE id = \(id)") { try $0.decode(String.self) }.first
        guard let text else { return nil }
        return try PlanRecord.decode(parameters: text)
    }

    public func activeHashes() throws -> [String: String] {
        var out: [String: String] = [:]
        for plan in try activePlanHeads() { out[plan.sha256] = plan.id }
        return out
    }

    public func batchDone(planId: String) throws -> (batch: Int, boot: BootStamp)? {
        let row = try rows("batch done", "SELECT batchDoneBatch, batchDoneBoottimeNs, batchDoneBootId FROM plans WHERE id = \(planId)") {
            try $0.decode((Int?, Int64?, String?).self)
        }.first
        guard let row, let batch = row.0, let ns = row.1, let bootId = row.2 else { return nil }
        return (batch, BootStamp(nanoseconds: ns, bootId: bootId))
    }

    // MARK: Instances

    public func instances(planId: String) throws -> [PlanInstanceRecord] {
        try rows(
            "instances",
            "SELECT \(unescaped: PlanInstanceRecord.postgresReadColumns) FROM plan_instances WHERE planId = \(planId) ORDER BY idx",
            PlanInstanceRecord.init(postgres:))
    }

    /// `readChunkRows` rows at a time, each chunk read in its own call and handed to `body`
    /// after it: a restart never holds a 100,000-instance plan's rows at once (issue 10).
    public func forEachInstanceChunk(planId: String, _ body: ([PlanInstanceRecord]) throws -> Void) throws {
        var from = 0
        let limit = readChunkRows
        while true {
            let rows = try rows(
                "instance chunk",
                """
                SELECT \(unescaped: PlanInstanceRecord.postgresReadColumns) FROM plan_instances
                WHERE planId = \(planId) AND idx >= \(from) ORDER BY idx LIMIT \(limit)
                """,
                PlanInstanceRecord.init(postgres:))
            guard let last = rows.last else { return }
            try body(rows)
            guard rows.count == limit else { return }
            from = last.idx + 1
        }
    }

    public func instanceCounts() throws -> [String: [String: Int]] {
        let rows = try rows("instance counts", "SELECT planId, state, COUNT(*) FROM plan_instances GROUP BY planId, state") {
            try $0.decode((String, String, Int).self)
        }
        var out: [String: [String: Int]] = [:]
        for (plan, state, n) in rows { out[plan, default: [:]][state] = n }
        return out
    }

    public func instanceCounts(planId: String) throws -> [String: Int] {
        try counts("instance counts", "SELECT state, COUNT(*) FROM plan_instances WHERE planId = \(planId) GROUP BY state")
    }

    public func batchZone(planId: String, batch: Int) throws -> String? {
        let query: PostgresQuery = """
            SELECT DISTINCT zone FROM plan_instances WHERE planId = \(planId) AND batch = \(batch) AND zone IS NOT NULL ORDER BY zone LIMIT 4
            """
        let zones = try rows("batch zones", query, { try $0.decode(String.self) })
        return zones.isEmpty ? nil : zones.prefix(3).joined(separator: ",") + (zones.count > 3 ? ",…" : "")
    }

    public func instanceZones(planId: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let query: PostgresQuery = "SELECT instanceId, zone FROM plan_instances WHERE planId = \(planId) AND zone IS NOT NULL"
        for (id, zone) in try rows("instance zones", query, { try $0.decode((String, String).self) }) { out[id] = zone }
        return out
    }

    // MARK: Attempts

    public func attempts(planId: String) throws -> [AttemptRecord] {
        try rows(
            "attempts", "SELECT \(unescaped: AttemptRecord.postgresColumns) FROM attempts WHERE planId = \(planId) ORDER BY id",
            AttemptRecord.init(postgres:))
    }

    public func attempts(instanceId: String) throws -> [AttemptRecord] {
        try rows(
            "attempts", "SELECT \(unescaped: AttemptRecord.postgresColumns) FROM attempts WHERE instanceId = \(instanceId) ORDER BY id",
            AttemptRecord.init(postgres:))
    }

    public func attemptNumbers(planId: String) throws -> [String: Int] {
        try counts("attempt numbers", "SELECT instanceId, MAX(attempt) FROM attempts WHERE planId = \(planId) GROUP BY instanceId")
    }

    /// Calls that count against `retry.maxAttempts`: `transient` and `not-applied`.
    public func countedAttempts(planId: String) throws -> [String: Int] {
        try counts(
            "counted attempts",
            """
            SELECT instanceId, COUNT(*) FROM attempts
            WHERE planId = \(planId) AND outcome IN ('transient', 'not-applied') GROUP BY instanceId
            """)
    }

    public func openAttempts(planId: String) throws -> [AttemptRecord] {
        try rows(
            "open attempts",
            """
            SELECT \(unescaped: AttemptRecord.postgresColumns) FROM attempts
            WHERE planId = \(planId) AND (outcome IS NULL OR outcome = 'in-doubt') ORDER BY id
            """,
            AttemptRecord.init(postgres:))
    }

    // MARK: Events and controls

    public func events(planId: String) throws -> [PlanEventRecord] {
        try rows(
            "events", "SELECT \(unescaped: PlanEventRecord.postgresColumns) FROM plan_events WHERE planId = \(planId) ORDER BY id",
            PlanEventRecord.init(postgres:))
    }

    public func controls(planId: String) throws -> [ControlRecord] {
        try rows(
            "controls", "SELECT \(unescaped: ControlRecord.postgresColumns) FROM controls WHERE planId = \(planId) ORDER BY id",
            ControlRecord.init(postgres:))
    }
}
