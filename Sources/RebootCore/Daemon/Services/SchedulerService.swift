import ServiceLifecycle

/// The scheduler as a service: runs until the group shuts down (it is shut down last), then
/// lets calls in flight finish within `shutdownGrace` and commits the journal. A failed final
/// commit is an error of the group, so rebootd exits 1.
struct SchedulerService: Service {
    let daemon: RebootDaemon

    func run() async throws {
        try? await gracefulShutdown()
        guard await daemon.finishShutdown() else {
            throw DaemonError(.failure, "the journal could not be committed at shutdown")
        }
    }
}
