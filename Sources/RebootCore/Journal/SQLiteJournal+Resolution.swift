import Foundation
import GRDB

/// Migration v9: each instance's zone (SPEC §2, issue 26), and the write that records what a
/// plan learned when it started: the ids its `select` matched and the zones.
extension SQLiteJournal {
    static func registerZones(_ m: inout DatabaseMigrator) {
        m.registerMigration("v9-zones") { db in
            try db.execute(sql: "ALTER TABLE plan_instances ADD COLUMN zone TEXT")
        }
    }

    /// Queues, for the next commit, a plan's resolution: its parameters become `plan` (the ids
    /// and zones it learned), its instance rows are those of `plan` in their batches (replacing
    /// the rows journaled at submission, none of which was called), and an event says what was
    /// selected. The plan's state changes in the same commit (the scheduler's activation).
    public func resolvePlan(id: String, plan: Plan, at: Date, detail: String) throws {
        let parameters = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        let layout = plan.layout
        let time = JournalTime.format(at)
        enqueue { db in
            try db.execute(sql: "DELETE FROM plan_instances WHERE planId = ?", arguments: [id])
            try db.execute(
                sql: "UPDATE plans SET parameters = ?, instanceCount = ?, batchCount = ?, updatedAt = ? WHERE id = ?",
                arguments: [parameters, plan.instances.count, layout.batches.count, time, id])
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO plan_instances (planId, idx, instanceId, batch, state, attempts, conflicts, observedNonRunning, updatedAt, zone)
                    VALUES (?, ?, ?, ?, 'pending', 0, 0, 0, ?, ?)
                    """)
            for (b, range) in layout.batches.enumerated() {
                for i in range {
                    let zone = plan.instanceZones.flatMap { $0[i].isEmpty ? nil : $0[i] }
                    try insert.execute(arguments: [id, i, plan.instances[i], b, time, zone])
                }
            }
            try PlanEventRecord(id: nil, planId: id, at: time, kind: "selected", detail: detail).insert(db)
        }
    }

    /// The zones of batch `batch` where known, comma-separated (one for `zones: one-at-a-time`;
    /// a mixed batch may have several: at most three are named, then `…`).
    public func batchZone(planId: String, batch: Int) throws -> String? {
        try writer.read { db in
            // `rebootctl` reads a journal without migrating it: one from before v9 has no zones.
            guard try Self.hasZones(db) else { return nil }
            let zones = try String.fetchAll(
                db, sql: "SELECT DISTINCT zone FROM plan_instances WHERE planId = ? AND batch = ? AND zone IS NOT NULL LIMIT 4",
                arguments: [planId, batch])
            return zones.isEmpty ? nil : zones.prefix(3).joined(separator: ",") + (zones.count > 3 ? ",…" : "")
        }
    }

    static func hasZones(_ db: Database) throws -> Bool { try db.columns(in: "plan_instances").contains { $0.name == "zone" } }

    /// Each instance's zone, where the journal knows it (by instance id).
    public func instanceZones(planId: String) throws -> [String: String] {
        try writer.read { db in
            var out: [String: String] = [:]
            guard try Self.hasZones(db) else { return out }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT instanceId, zone FROM plan_instances WHERE planId = ? AND zone IS NOT NULL", arguments: [planId])
            while let row = try rows.next() { out[row["instanceId"]] = row["zone"] }
            return out
        }
    }
}
