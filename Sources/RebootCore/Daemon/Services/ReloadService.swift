import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the config (SPEC §6), through `UnixSignalsSequence`, until the group shuts down.
struct ReloadService: Service {
    let daemon: RebootDaemon

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try? await cancelWhenGracefulShutdown {
            for await _ in hangups { daemon.reload() }
        }
    }
}
