import Foundation

/// Runs a command gate (SPEC §4.14): argv without a shell, stdin from /dev/null, in `/`, with a
/// clean environment (PATH, LANG and the plan's `REBOOTD_*` context only: nothing of the
/// daemon's, whose environment may hold the cloud keys), as the daemon's user. Killed (with
/// its process group) at the timeout. Exit 0 passes; the first 1 KiB of its output (stdout and
/// stderr together) is kept for the journal.
enum CommandGateRunner {
    static let outputLimit = 1024
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    static func environment(_ context: GateContext, gate: String) -> [String: String] {
        ["PATH": path, "LANG": "C.UTF-8", "REBOOTD_GATE": gate, "REBOOTD_PLAN_ID": context.planId,
         "REBOOTD_PLAN_NAME": context.planName, "REBOOTD_BATCH": "\(context.batch)", "REBOOTD_BATCH_COUNT": "\(context.batchCount)"]
    }

    /// Runs on a thread of its own (a check may take up to its timeout), then calls `completion`.
    static func run(_ argv: [String], gate: String, context: GateContext, timeout: TimeInterval,
                    completion: @escaping @Sendable (GateResult) -> Void) {
        Thread.detachNewThread { completion(runBlocking(argv, gate: gate, context: context, timeout: timeout)) }
    }

    static func runBlocking(_ argv: [String], gate: String, context: GateContext, timeout: TimeInterval) -> GateResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment(context, gate: gate)
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch {
            return .blocked("cannot start \(SafeText.escaped(argv[0])): \(error.localizedDescription)")
        }
        try? pipe.fileHandleForWriting.close()
        let collected = OutputBuffer(limit: outputLimit)
        let readerDone = DispatchSemaphore(value: 0)
        let reading = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let chunk = reading.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
            readerDone.signal()
        }
        let pid = process.processIdentifier
        let timedOut = exited.wait(timeout: .now() + timeout) == .timedOut
        if timedOut {
            // Its own process group (if Foundation gave it one) goes too: no orphan keeps running.
            if getpgid(pid) == pid { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
            exited.wait()
        }
        // A child that left a grandchild holding the pipe must not hold the check.
        _ = readerDone.wait(timeout: .now() + 1)
        let output = collected.text
        let firstLine = output.split(whereSeparator: \.isNewline).first.map { SafeText.escaped(String($0)) } ?? ""
        let suffix = firstLine.isEmpty ? "" : ": \(firstLine)"
        if timedOut { return .blocked("timeout after \(DurationParser.format(timeout)), killed\(suffix)", output: output) }
        if process.terminationReason == .uncaughtSignal {
            return .blocked("killed by signal \(process.terminationStatus)\(suffix)", output: output)
        }
        let status = process.terminationStatus
        return status == 0 ? .passed("exit 0\(suffix)", output: output) : .blocked("exit \(status)\(suffix)", output: output)
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
