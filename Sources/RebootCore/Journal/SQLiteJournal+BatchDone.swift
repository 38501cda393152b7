import Foundation
import GRDB

/// Migration v7: when a plan's current batch ended, on the boot clock (issue 23 #9). The pause
/// between batches (SPEC §4.1) is an interval, measured on the monotonic clock (§4.13); across a
/// restart it is measured from this stamp when the boot is the same, and in full from the
/// restart when it is not. The `batch-done` event keeps its wall time for people.
extension SQLiteJournal {
    static func registerBatchDone(_ m: inout DatabaseMigrator) {
        m.registerMigration("v7-batch-done-boot") { db in
            try db.alter(table: "plans") { t in
                t.add(column: "batchDoneBatch", .integer)
                t.add(column: "batchDoneBoottimeNs", .integer)
                t.add(column: "batchDoneBootId", .text)
            }
        }
    }

    /// Queues, for the next commit (with its `batch-done` event), the boot-clock instant at
    /// which batch `batch` (0-based) of the plan ended.
    public func setBatchDone(planId: String, batch: Int, boot: BootStamp) {
        enqueue { db in
            try db.execute(
                sql: "UPDATE plans SET batchDoneBatch = ?, batchDoneBoottimeNs = ?, batchDoneBootId = ? WHERE id = ?",
                arguments: [batch, boot.nanoseconds, boot.bootId, planId])
        }
    }

    /// Which batch ended last, and when on the boot clock; nil before v7 or before any.
    public func batchDone(planId: String) throws -> (batch: Int, boot: BootStamp)? {
        try writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT batchDoneBatch, batchDoneBoottimeNs, batchDoneBootId FROM plans WHERE id = ?",
                arguments: [planId]
            ).flatMap { row in
                guard let batch: Int = row["batchDoneBatch"], let ns: Int64 = row["batchDoneBoottimeNs"],
                    let id: String = row["batchDoneBootId"]
                else { return nil }
                return (batch, BootStamp(nanoseconds: ns, bootId: id))
            }
        }
    }
}
