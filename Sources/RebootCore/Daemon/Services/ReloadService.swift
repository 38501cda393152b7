import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the config (SPEC §6), through `UnixSignalsSequence`, until the group shuts
/// down. rebootd makes the sequence before the daemon starts, so an early SIGHUP (a reload right
/// after `systemctl start`) is never the default action, which would end the process.
struct ReloadService: Service {
    let daemon: RebootDaemon
    let hangups: UnixSignalsSequence?

    func run() async throws {
        let hangups: UnixSignalsSequence
        if let made = self.hangups { hangups = made } else { hangups = await UnixSignalsSequence(trapping: .sighup) }
        await cancelWhenGracefulShutdown {
            for await _ in hangups { daemon.reload() }
        }
    }
}
