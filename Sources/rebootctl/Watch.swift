import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl watch PLAN`: a live bar, counts, current batch and ETA until the plan ends.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follow a plan's progress until it ends.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String
    @Option(
        help: "Time between refreshes: a duration like 500ms, 2s, 1m or a number of seconds (at most 366 days).",
        transform: Watch.parseInterval)
    var interval: TimeInterval = 0.5

    /// A duration flag (SPEC §2: at most 366 days), greater than zero.
    static func parseInterval(_ text: String) throws -> TimeInterval {
        switch DurationParser.check(text) {
        case .success(let seconds) where seconds > 0: return seconds
        case .success: throw ValidationError("--interval must be greater than zero")
        case .failure(let failure): throw ValidationError("--interval \(SafeText.escaped(text)) \(DurationParser.explain(failure))")
        }
    }

    /// Sleeps without converting to a narrow integer (usleep takes at most 4295 s and traps past it).
    static func pause(_ seconds: TimeInterval) {
        var request = timespec(tv_sec: Int(seconds.rounded(.down)), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    func run() throws {
        let id = try options.plan(plan, in: options.journal()).id
        try Self.follow(planId: id, options: options, interval: interval)
    }

    static func follow(planId: String, options: ConfigOptions, interval: Double = 0.5) throws {
        let journal = try options.journal()
        let tty = isatty(STDOUT_FILENO) == 1
        let started = Date()
        var startDone: Int?
        var last = ""
        while true {
            guard let p = try journal.summaryReport(planId: planId) else {
                throw CtlError(.noSuchPlan, "no plan \(SafeText.escaped(planId))")
            }
            let done = ["rebooted", "failed", "skipped", "cancelled"].reduce(0) { $0 + (p.counts[$1] ?? 0) }
            startDone = startDone ?? done
            let line = render(p, done: done, eta: eta(done: done, startDone: startDone ?? 0, total: p.instances, since: started))
            // Off a terminal, a line when something changes: the ETA's own ticking is not a change.
            let progress = render(p, done: done, eta: "")
            let terminal = ["succeeded", "failed", "cancelled"].contains(p.state)
            if tty {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + line + (terminal ? "\n" : "")).utf8))
            } else if progress != last {
                print(line)
            }
            last = progress
            if terminal {
                if p.state != "succeeded" { throw ExitCode(1) }
                return
            }
            pause(interval)
        }
    }

    static func eta(done: Int, startDone: Int, total: Int, since: Date) -> String {
        let elapsed = Date().timeIntervalSince(since)
        guard done > startDone, elapsed > 1 else { return "ETA --" }
        let rate = Double(done - startDone) / elapsed
        return "ETA " + DurationParser.format(Double(total - done) / rate)
    }

    /// `[########........]  45% 90/200 batch 3/6 running 88 ok 2 failed ETA 1m10s`, within 80
    /// columns (the bar shrinks or goes when the numbers are long).
    static func render(_ p: PlanSummaryReport, done: Int, eta: String) -> String {
        // A plan held by a gate says which one and why, instead of the bar.
        if p.state == "waiting-gate", let reason = p.reason {
            return String("\(done)/\(p.instances) batch \(max(p.currentBatch, 0))/\(p.batchCount) \(SafeText.escaped(reason))".prefix(80))
        }
        // Outside the window: when it opens, not an ETA that runs down meanwhile.
        if p.state == "waiting-window", let reason = p.reason, let opening = reason.range(of: "next opening ") {
            let when = SafeText.escaped(String(reason[opening.upperBound...]))
            return String("\(done)/\(p.instances) batch \(max(p.currentBatch, 0))/\(p.batchCount) outside the window, opens \(when)".prefix(80))
        }
        let fraction = p.instances == 0 ? 1 : Double(done) / Double(p.instances)
        let c = p.counts
        var tail = "\(String(repeating: " ", count: max(0, 3 - String(Int(fraction * 100)).count)))\(Int(fraction * 100))% \(done)/\(p.instances)"
        tail +=
            " batch \(max(p.currentBatch, 0))/\(p.batchCount)\(p.zone.map { " " + SafeText.escaped($0) } ?? "") \(SafeText.escaped(p.state)) \(c["rebooted"] ?? 0) ok"
        if let failed = c["failed"], failed > 0 { tail += " \(failed) failed" }
        if let waiting = c["waiting"], waiting > 0 { tail += " \(waiting) waiting" }
        tail += " \(eta)"
        let width = min(20, 80 - 3 - tail.count)
        guard width >= 5 else { return String(tail.prefix(80)) }
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + tail
    }

}
