import GRDB

// The journal's records as GRDB rows of `SQLiteJournal`'s tables: the records themselves know
// nothing of a storage engine (`JournalStore` names none).

extension AttemptRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
}

extension ControlRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "controls"
}

extension PlanEventRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plan_events"
}

extension PlanInstanceRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plan_instances"
}

extension PlanRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plans"
}
