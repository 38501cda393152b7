import ServiceLifecycle

/// The status loop (`STATUS=`, `WATCHDOG=1`, the metrics file) as a service: the timer runs on
/// the scheduler's queue from `start()`; it stops when the group shuts down, before the scheduler.
struct StatusService: Service {
    let daemon: RebootDaemon

    func run() async throws {
        try? await gracefulShutdown()
        daemon.stopStatus()
    }
}
