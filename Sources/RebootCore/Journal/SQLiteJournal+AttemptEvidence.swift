import Foundation
import GRDB

/// Migration v5: what a restarted daemon needs to judge a call in doubt (SPEC §4.8, issue 23):
/// each attempt's send on the boot clock with the boot id, and its effect deadline.
extension SQLiteJournal {
    static func registerAttemptEvidence(_ m: inout DatabaseMigrator) {
        m.registerMigration("v5-attempt-evidence") { db in
            try db.alter(table: "attempts") { t in
                t.add(column: "sentBoottimeNs", .integer)
                t.add(column: "bootId", .text)
                t.add(column: "effectDeadline", .text)
            }
        }
    }
}
