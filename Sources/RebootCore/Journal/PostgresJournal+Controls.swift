import Foundation
import PostgresNIO

/// Controls taken in by a standby (SPEC §4.16): journaled as `pending` at once, whatever the
/// lease, and applied by the leader, which records its result in the same row.
extension PostgresJournal {
    /// The result a control carries until the leader applies it.
    public static let pendingControl = "pending: the leader applies it"

    /// Journals a control for the leader to apply; committed at once, the queue untouched.
    public func addPendingControl(_ control: ControlRecord) throws {
        var pending = control
        pending.result = Self.pendingControl
        let insert = pending.postgresInsert
        try call("journal a control for the leader") { t in _ = try await t.query(insert) }
    }

    /// Controls waiting for the leader, oldest first.
    public func pendingControls() throws -> [ControlRecord] {
        try rows(
            "pending controls",
            "SELECT \(unescaped: ControlRecord.postgresColumns) FROM controls WHERE result = \(Self.pendingControl) ORDER BY id",
            ControlRecord.init(postgres:))
    }

    /// Queues the leader's result for a pending control (fenced like any plan state).
    public func settleControl(id: Int64, result: String, at: Date) {
        let applied = JournalTime.format(at)
        enqueue(PostgresWrite("UPDATE controls SET result = \(result), appliedAt = \(applied) WHERE id = \(id)"))
    }
}
