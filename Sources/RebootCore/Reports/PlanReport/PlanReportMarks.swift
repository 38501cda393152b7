/// The plan's marks as the HTML report draws and lists them, within a budget: halts, cancels,
/// pauses, resumes, controls and account pauses always; a run of one gate's same result (a gate
/// blocked for an hour is 120 checks) as one mark with its count and span; batch starts thinned
/// to what is left. The JSON report keeps every mark.
enum PlanReportMarks {
    /// One mark as shown, standing for `count` marks from `mark.at` to `lastAt`.
    struct Shown {
        var mark: PlanReport.Mark
        var count: Int
        var lastAt: String

        var title: String {
            let who = mark.by.map { " by \($0)" } ?? ""
            let span = count > 1 ? " ×\(count) until \(lastAt)" : ""
            return "\(mark.at) \(mark.kind)\(who)\(span): \(PlanReportHTML.short(mark.detail))"
        }
    }

    static let important: Set<String> = ["halted", "cancelled", "account-paused", "paused", "resumed", "restarted", "control", "in-doubt"]

    static func condensed(_ marks: [PlanReport.Mark], budget: Int) -> [Shown] {
        var kept: [Shown] = []
        var starts: [PlanReport.Mark] = []
        var openRun: [String: Int] = [:]
        for m in marks where m.kind != "batch-done" {
            if m.kind == "batch-start" {
                starts.append(m)
            } else if m.kind.hasPrefix("gate-") {
                // "gate NAME before batch …": a run is one gate's checks with one result.
                let gate = m.detail.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                if let i = openRun[gate], kept[i].mark.kind == m.kind {
                    kept[i].count += 1
                    kept[i].lastAt = m.at
                } else {
                    openRun[gate] = kept.count
                    kept.append(Shown(mark: m, count: 1, lastAt: m.at))
                }
            } else {
                kept.append(Shown(mark: m, count: 1, lastAt: m.at))
            }
        }
        if kept.count > budget {
            let first = kept.filter { important.contains($0.mark.kind) }.prefix(budget)
            let rest = kept.filter { !important.contains($0.mark.kind) }.prefix(budget - first.count)
            kept = Array(first) + Array(rest)
        }
        let room = budget - kept.count
        if room > 0 && !starts.isEmpty {
            let stride = (starts.count + room - 1) / room
            kept += starts.enumerated().filter { $0.offset % stride == 0 }.map { Shown(mark: $0.element, count: 1, lastAt: $0.element.at) }
        }
        return kept.sorted { $0.mark.at < $1.mark.at }
    }
}
