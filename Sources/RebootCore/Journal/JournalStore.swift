/// A journal (SPEC §5) the daemon can run on: everything it, the scheduler, the spool, the
/// reports and `rebootctl` read and write. `SQLiteJournal` is the one in use; any store must
/// pass `JournalStoreConformanceTests`. Nothing here names a storage engine's types.
public protocol JournalStore: JournalReading, JournalWriting {}
