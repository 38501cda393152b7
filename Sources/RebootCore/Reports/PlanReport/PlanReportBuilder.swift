import Foundation

/// Builds a `PlanReport` from what the journal holds of a plan: its record, instances,
/// attempts, events and controls. Pure functions of those rows, so tests can feed them.
public enum PlanReportBuilder {
    public static func build(
        plan p: PlanRecord, instances rows: [PlanInstanceRecord], attempts: [AttemptRecord],
        events: [PlanEventRecord], controls: [ControlRecord], now: Date = Date()
    ) -> PlanReport {
        let decoded = try? p.decodedPlan()
        var byInstance: [String: [AttemptRecord]] = [:]
        for a in attempts { byInstance[a.instanceId, default: []].append(a) }
        var counts: [String: Int] = [:]
        for s in InstanceState.allCases { counts[s.rawValue] = 0 }
        var instances: [PlanReport.Instance] = []
        instances.reserveCapacity(rows.count)
        var durations: [Double] = []
        for row in rows.sorted(by: { $0.idx < $1.idx }) {
            counts[row.state, default: 0] += 1
            let mine = byInstance[row.instanceId] ?? []
            let first = mine.first?.sentAt
            let running = row.state == InstanceState.rebooted.rawValue ? row.finishedAt : nil
            // The reboot's own duration: from the call that took effect, not from a 409 before it.
            let effective = mine.last { $0.outcome == "accepted" || $0.outcome == "applied" }?.sentAt
            if let f = effective.flatMap(JournalTime.parse), let r = running.flatMap(JournalTime.parse), r >= f {
                durations.append(r.timeIntervalSince(f))
            }
            instances.append(
                PlanReport.Instance(
                    id: row.instanceId, batch: row.batch + 1, state: row.state, reason: row.endReason, firstCallAt: first,
                    runningAt: running, finishedAt: row.finishedAt, attempts: row.attempts, conflicts: row.conflicts,
                    marks: instanceMarks(mine, finishedAt: row.finishedAt, end: p.finishedAt ?? JournalTime.format(now)), zone: row.zone))
        }
        var calls: [String: Int] = [:]
        for a in attempts { calls["\(a.kind)\t\(a.outcome ?? "in-flight")", default: 0] += 1 }
        let apiCalls = calls.sorted { $0.key < $1.key }.map { key, n in
            let parts = key.split(separator: "\t", maxSplits: 1).map(String.init)
            return PlanReport.CallCount(kind: parts[0], outcome: parts.count > 1 ? parts[1] : "", count: n)
        }
        var marks =
            planMarks(events)
            + controls.map {
                PlanReport.Mark(kind: "control", at: $0.appliedAt, detail: "\($0.verb): \($0.result)", by: $0.requestedBy)
            }
        marks.sort { $0.at < $1.at }
        let layout = decoded?.layout.sizes ?? []
        let batches = batchLines(sizes: layout, instances: instances, marks: marks)
        let startedAt = marks.first { $0.kind == "batch-start" }?.at
        let firstCall = instances.compactMap(\.firstCallAt).min()
        // From the first thing that happened to it: a gate wait or a pause before batch 1 too.
        let start = [startedAt, firstCall, marks.first?.at].compactMap { $0 }.min() ?? p.submittedAt
        let latest = ([p.finishedAt] + instances.map(\.finishedAt) + marks.map { Optional($0.at) }).compactMap { $0 }.max()
        let end = p.finishedAt ?? max(latest ?? start, JournalTime.format(now))
        return PlanReport(
            plan: .init(
                id: p.id, name: p.name, ticket: p.ticket, state: p.state, reason: p.reason, sourceFile: p.sourceFile, sha256: p.sha256,
                submitter: p.submitterName, submitterUid: p.submitterUid, submittedAt: p.submittedAt,
                startedAt: startedAt, finishedAt: p.finishedAt, settings: settings(decoded)),
            counts: counts, durations: summarize(durations), apiCalls: apiCalls, start: start, end: max(end, start),
            instances: instances, batches: batches, marks: marks)
    }

    /// 409 waits, retries, calls in doubt and re-sends, from an instance's attempts in order.
    /// Spans still open at the report's time (a 409 wait, a call in doubt) run to `end`. The
    /// journal keeps no time for an in-doubt call's resolution: one that took effect ends when
    /// its answer was given up; one that did not, at the re-send; an unknowable one, when the
    /// instance failed.
    static func instanceMarks(_ attempts: [AttemptRecord], finishedAt: String?, end: String) -> [PlanReport.Mark] {
        var out: [PlanReport.Mark] = []
        for (k, a) in attempts.enumerated() {
            let next = k + 1 < attempts.count ? attempts[k + 1].sentAt : nil
            let code = [a.httpStatus.map { "HTTP \($0)" }, a.errorCode].compactMap { $0 }.joined(separator: " ")
            if a.kind == "resend" {
                out.append(.init(kind: "resend", at: a.sentAt, detail: "re-sent: the call in doubt before it was seen not to take effect"))
            }
            switch a.outcome {
            case "conflict":
                let then = next != nil ? ": waited for Running, then called again" : finishedAt != nil ? "" : ": waiting for Running"
                out.append(.init(kind: "conflict", at: a.sentAt, until: next ?? finishedAt ?? end, detail: "409 \(a.errorCode ?? "")\(then)"))
            case "throttled", "transient":
                out.append(.init(kind: "retry", at: a.sentAt, until: a.finishedAt, detail: "\(a.outcome ?? ""): \(code); retried"))
            case "in-doubt", "applied", "not-applied", "unknown", nil:
                guard a.outcome != nil || next != nil || finishedAt == nil else { break }
                let (resolution, until): (String, String?) =
                    switch a.outcome {
                    case "applied": ("it took effect", a.finishedAt ?? next)
                    case "not-applied": ("it never took effect", next ?? finishedAt ?? end)
                    case "unknown": ("unknowable (a gap in the status evidence)", finishedAt ?? end)
                    case nil: ("no answer recorded (in flight, or the daemon stopped)", next ?? finishedAt ?? end)
                    default: ("unresolved", next ?? finishedAt ?? end)
                    }
                out.append(
                    .init(
                        kind: "in-doubt", at: a.sentAt, until: until,
                        detail: "no answer (\(code.isEmpty ? "timeout" : code)); \(resolution)"))
            case "instanceFatal", "accountFatal":
                out.append(.init(kind: "error", at: a.sentAt, detail: "\(a.outcome ?? ""): \(code) \(a.message ?? "")"))
            default:
                break
            }
        }
        return out
    }

    /// The plan's own marks, from its journaled events.
    static func planMarks(_ events: [PlanEventRecord]) -> [PlanReport.Mark] {
        var out: [PlanReport.Mark] = []
        for e in events {
            let firstLine = e.detail.split(separator: "\n").first.map(String.init) ?? e.detail
            switch e.kind {
            case "batch-start", "batch-done", "account-paused", "halted", "in-doubt":
                out.append(.init(kind: e.kind, at: e.at, detail: firstLine))
            case "resumed":
                out.append(.init(kind: firstLine.hasPrefix("after restart") ? "restarted" : "resumed", at: e.at, detail: firstLine))
            case "cancel":
                out.append(.init(kind: "cancelled", at: e.at, detail: firstLine))
            case "gate-check":
                // "gate NAME before batch N/M: passed: …": the word at its place, not anywhere
                // (a command's output may say "passed").
                let word = firstLine.components(separatedBy: ": ").dropFirst().first
                out.append(.init(kind: word == "passed" ? "gate-passed" : "gate-blocked", at: e.at, detail: e.detail))
            case "state":
                // "running -> paused: paused by an operator" (the reason may hold " -> " too)
                guard let arrow = firstLine.range(of: " -> ") else { continue }
                let parts = [String(firstLine[..<arrow.lowerBound]), String(firstLine[arrow.upperBound...])]
                let to = parts[1].split(separator: ":", maxSplits: 1).first.map(String.init) ?? parts[1]
                if to == "paused" {
                    out.append(.init(kind: "paused", at: e.at, detail: firstLine))
                } else if parts[0] == "paused", !["succeeded", "failed", "cancelled"].contains(to) {
                    out.append(.init(kind: "resumed", at: e.at, detail: firstLine))
                }
            default:
                continue
            }
        }
        return out
    }

    static func batchLines(sizes: [Int], instances: [PlanReport.Instance], marks: [PlanReport.Mark]) -> [PlanReport.Batch] {
        var starts: [Int: String] = [:]
        var dones: [Int: String] = [:]
        for m in marks where m.kind == "batch-start" || m.kind == "batch-done" {
            // "batch 3/6: 10 instances", "batch 3/6 finished"
            guard let n = m.detail.dropFirst("batch ".count).split(separator: "/").first.flatMap({ Int($0) }) else { continue }
            if m.kind == "batch-start" { starts[n] = starts[n] ?? m.at } else { dones[n] = m.at }
        }
        var counts = Array(repeating: [String: Int](), count: sizes.count)
        for i in instances where i.batch >= 1 && i.batch <= sizes.count { counts[i.batch - 1][i.state, default: 0] += 1 }
        var zones = Array(repeating: [String](), count: sizes.count)
        for i in instances where i.batch >= 1 && i.batch <= sizes.count {
            if let zone = i.zone, !zones[i.batch - 1].contains(zone) { zones[i.batch - 1].append(zone) }
        }
        return sizes.enumerated().map { b, size in
            PlanReport.Batch(number: b + 1, size: size, startedAt: starts[b + 1], doneAt: dones[b + 1], counts: counts[b], zones: zones[b])
        }
    }

    static func settings(_ plan: Plan?) -> PlanReport.Settings {
        guard let plan else {
            return .init(
                batchSizes: [], batchSummary: "parameters cannot be decoded", forceStop: false, pauseBetweenBatches: 0,
                maxFailures: "", rebootTimeout: 0, conflictMaxAttempts: 0, conflictTimeout: 0, window: nil,
                startAfter: nil, region: nil, dryRun: false, healthGates: [])
        }
        return .init(
            batchSizes: plan.layout.sizes, batchSummary: plan.layout.summary, forceStop: plan.forceStop,
            pauseBetweenBatches: plan.pauseBetweenBatches, maxFailures: "\(plan.maxFailures)",
            rebootTimeout: plan.rebootTimeout, conflictMaxAttempts: plan.conflictRetry.maxAttempts,
            conflictTimeout: plan.conflictRetry.timeout, window: plan.window?.summary,
            startAfter: plan.startAfter.map(JournalTime.format), region: plan.region, dryRun: plan.dryRun,
            healthGates: plan.healthGates ?? [])
    }

    /// Nearest-rank percentiles.
    static func summarize(_ values: [Double]) -> PlanReport.Durations? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double { sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        return .init(count: sorted.count, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.count - 1])
    }
}
