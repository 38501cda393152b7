import Dispatch

/// Where the PostgreSQL journal's async work runs (its client's `run()` and every call): a
/// serial queue of its own, not Swift's cooperative pool. The journal's callers block their
/// thread until a call ends; were that a cooperative thread (a service's `run()`), the call's
/// own work could wait for a free one, and with two cores there are two. Its jobs only await
/// the network and decode rows.
@available(macOS 15, *)
final class PostgresJournalExecutor: TaskExecutor {
    let queue = DispatchQueue(label: "rebootd.journal.postgres")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
