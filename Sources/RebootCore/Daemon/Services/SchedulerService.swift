import ServiceLifecycle

/// The scheduler as a service, and the daemon's start: it starts the scheduler, the spool and
/// the status loop (READY=1) once the group traps SIGTERM/SIGINT, runs until the group shuts
/// down (it is shut down last), then lets calls in flight finish within `shutdownGrace` and
/// commits the journal. A failed start or final commit is an error of the group: rebootd exits 1.
struct SchedulerService: Service {
    let daemon: RebootDaemon

    func run() async throws {
        try daemon.start()
        try? await gracefulShutdown()
        guard await daemon.finishShutdown() else {
            throw DaemonError(.failure, "the journal could not be committed at shutdown")
        }
    }
}
