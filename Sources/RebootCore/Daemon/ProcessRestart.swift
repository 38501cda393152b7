import Foundation

/// Starts this program again in the same process (same pid, same arguments and environment):
/// a leader that lost its lease comes back as a standby with nothing of the old term in memory
/// (SPEC §4.16), as Kubernetes' controllers exit on losing theirs. Every descriptor the daemon
/// opens is close-on-exec, so its locks are released and taken again.
enum ProcessRestart {
    /// Replaces the process image, with `mark=1` in its environment; returns only when
    /// `execv` failed (its errno's text).
    static func execSelf(marking mark: String) -> String {
        setenv(mark, "1", 1)
        // /proc/self/cmdline: under an LD_PRELOAD such as libfaketime, CommandLine.arguments
        // may be empty.
        var arguments =
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/cmdline")))
            .map { data in data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) } } ?? []
        if arguments.last == "" { arguments.removeLast() }
        if arguments.isEmpty { arguments = CommandLine.arguments }
        // Ignored signals and the signal mask survive `execv`: the service group ignores
        // SIGTERM, SIGINT and SIGHUP to watch them itself. The new image must die of SIGTERM
        // until its own group traps it again (systemctl stop during its start).
        for signal in [SIGTERM, SIGINT, SIGHUP] { Foundation.signal(signal, SIG_DFL) }
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        let cArguments = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", cArguments)
        return String(cString: strerror(errno))
    }
}
