import ServiceLifecycle

/// Plan intake and control files as a service: the first to stop on shutdown (`STOPPING=1`, no
/// new file is taken in), so that no plan starts while the scheduler winds down.
struct SpoolService: Service {
    let daemon: RebootDaemon

    func run() async throws {
        try? await gracefulShutdown()
        daemon.beginShutdown()
    }
}
