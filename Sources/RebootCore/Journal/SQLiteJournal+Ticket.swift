import GRDB

/// Migration v8: the plan's change ticket (SPEC §2, §5), a column of its own beside the
/// parameters that also hold it, so that `status`, the report and the notifications of a plan
/// read it with the plan's head, never its parameters (a 100,000-instance plan's are MBs).
/// Plans journaled before v8 have none (NULL).
extension SQLiteJournal {
    static func registerTicket(_ m: inout DatabaseMigrator) {
        m.registerMigration("v8-ticket") { db in
            try db.alter(table: "plans") { t in
                t.add(column: "ticket", .text)
            }
        }
    }
}
