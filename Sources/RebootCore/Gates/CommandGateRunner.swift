import Foundation

/// Runs a command gate (SPEC §4.14): argv without a shell, stdin from /dev/null, in `/`, with a
/// clean environment (PATH, LANG and the plan's `REBOOTD_*` context only: nothing of the
/// daemon's, whose environment may hold the cloud keys), as the daemon's user. Exit 0 passes;
/// the first 1 KiB of its output (stdout and stderr together) is kept for the journal.
///
/// Started with `posix_spawn` rather than Foundation's `Process`: the daemon ignores SIGTERM,
/// SIGINT, SIGHUP (service-lifecycle) and SIGPIPE (NIO), and its dispatch threads block most
/// signals; a child inherits both, so `kill` or `timeout` inside a check did nothing. The command
/// starts with every signal at its default, none blocked, in a process group of its own, which
/// is killed at the timeout and, after the command exits, so that nothing it left behind runs on.
enum CommandGateRunner {
    static let outputLimit = 1024
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    static func environment(_ context: GateContext, gate: String) -> [String: String] {
        [
            "PATH": path, "LANG": "C.UTF-8", "REBOOTD_GATE": gate, "REBOOTD_PLAN_ID": context.planId,
            "REBOOTD_PLAN_NAME": context.planName, "REBOOTD_BATCH": "\(context.batch)", "REBOOTD_BATCH_COUNT": "\(context.batchCount)",
            "REBOOTD_DRY_RUN": context.dryRun ? "1" : "0",
        ]
    }

    /// Runs on a thread of its own (a check may take up to its timeout), then calls `completion`.
    static func run(
        _ argv: [String], gate: String, context: GateContext, timeout: TimeInterval,
        completion: @escaping @Sendable (GateResult) -> Void
    ) {
        Thread.detachNewThread { completion(runBlocking(argv, gate: gate, context: context, timeout: timeout)) }
    }

    static func runBlocking(_ argv: [String], gate: String, context: GateContext, timeout: TimeInterval) -> GateResult {
        let pid: pid_t
        let output: Int32
        switch spawn(argv, environment: environment(context, gate: gate)) {
        case .success(let started): (pid, output) = started
        case .failure(let why): return .blocked("cannot start \(SafeText.escaped(argv[0])): \(why)")
        }
        let collected = OutputBuffer(limit: outputLimit)
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(output, &buffer, buffer.count)
                if n > 0 { collected.append(Data(buffer[0..<n])) } else if n < 0 && errno == EINTR { continue } else { break }
            }
            close(output)
            readerDone.signal()
        }
        let exit = ExitStatus()
        let exited = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exit.value = status
            exited.signal()
        }
        let timedOut = exited.wait(timeout: .now() + timeout) == .timedOut
        if timedOut {
            kill(-pid, SIGKILL)
            exited.wait()
        }
        // Whatever the command left in its group (a background child) goes too.
        kill(-pid, SIGKILL)
        // A grandchild that moved to another group and holds the pipe must not hold the check.
        _ = readerDone.wait(timeout: .now() + 1)
        let text = collected.text
        let firstLine = text.split(whereSeparator: \.isNewline).first.map { SafeText.escaped(String($0)) } ?? ""
        let suffix = firstLine.isEmpty ? "" : ": \(firstLine)"
        if timedOut { return .blocked("timeout after \(DurationParser.format(timeout)), killed\(suffix)", output: text) }
        let status = exit.value
        if status & 0x7f != 0 { return .blocked("killed by signal \(status & 0x7f)\(suffix)", output: text) }
        let code = (status >> 8) & 0xff
        return code == 0 ? .passed("exit 0\(suffix)", output: text) : .blocked("exit \(code)\(suffix)", output: text)
    }

    /// Starts `argv` with default signals, an empty signal mask and a process group of its own;
    /// returns its pid and the read end of its output pipe.
    static func spawn(_ argv: [String], environment: [String: String]) -> Result<(pid_t, Int32), SpawnFailure> {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return .failure(SpawnFailure(errno)) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        if let addChdir = Self.addChdir { _ = addChdir(&actions, "/") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let args = argv.map { strdup($0) } + [nil]
        let env = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in args + env { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, args, env)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            return .failure(SpawnFailure(rc))
        }
        return .success((pid, fds[0]))
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's Glibc module does
    /// not import (it needs `_GNU_SOURCE`); looked up once. Without it the command runs in the
    /// daemon's directory, which under systemd is `/` too.
    static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// Why a command could not be started: the errno's text.
    struct SpawnFailure: Error, CustomStringConvertible {
        let description: String
        init(_ code: Int32) { description = String(cString: strerror(code)) }
    }

    /// The wait status, handed from the waiting thread.
    final class ExitStatus: @unchecked Sendable {
        private let lock = NSLock()
        private var status: Int32 = 0
        var value: Int32 {
            get { lock.withLock { status } }
            set { lock.withLock { status = newValue } }
        }
    }
}

/// The first `limit` bytes of a command's output; the rest is read and dropped.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func append(_ chunk: Data) {
        lock.withLock {
            let room = limit - data.count
            if room > 0 { data.append(chunk.prefix(room)) }
        }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
