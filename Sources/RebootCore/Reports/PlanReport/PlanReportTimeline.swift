import Foundation

/// The report's timeline as inline SVG: one row per instance (one per batch, or per run of
/// batches, above `PlanReportHTML.maxRows` instances), each a bar from the first reboot call to
/// the poll that saw it Running, with 409 waits, retries and calls in doubt marked; failures and
/// skips coloured, their reason in an SVG `<title>`; batch starts, pauses, gate checks, controls
/// and account pauses on the time axis.
struct PlanReportTimeline {
    let report: PlanReport
    let start: Date
    let span: Double
    typealias H = PlanReportHTML

    init(report: PlanReport) {
        self.report = report
        start = JournalTime.parse(report.start) ?? Date()
        let end = JournalTime.parse(report.end) ?? start
        span = max(1, end.timeIntervalSince(start))
    }

    /// One row of the timeline.
    struct Row {
        var label: String
        var attributes: String
        var state: String
        var from: String?
        var to: String?
        var title: String
        var marks: [PlanReport.Mark]
    }

    /// Marks drawn on one row; the rest are counted in its title.
    static let maxRowMarks = 24

    func x(_ iso: String?) -> Double? {
        guard let iso, let t = JournalTime.parse(iso) else { return nil }
        return H.labelWidth + min(1, max(0, t.timeIntervalSince(start) / span)) * H.plotWidth
    }

    func rows() -> (perInstance: Bool, rows: [Row]) {
        if report.instances.count <= H.maxRows { return (true, report.instances.map(instanceRow)) }
        // The instances' own batch numbers (an undecodable plan has no layout to go by).
        let batches = max(1, report.batches.count, report.instances.map(\.batch).max() ?? 1)
        let perRow = (batches + H.maxRows - 1) / H.maxRows
        var groups = Array(repeating: [PlanReport.Instance](), count: (batches + perRow - 1) / perRow)
        for i in report.instances { groups[min(groups.count - 1, max(0, (i.batch - 1) / perRow))].append(i) }
        return (false, groups.enumerated().map { g, members in batchRow(first: g * perRow + 1, last: min(batches, (g + 1) * perRow), members) })
    }

    func instanceRow(_ i: PlanReport.Instance) -> Row {
        var title = "\(i.id) (batch \(i.batch)\(i.zone.map { ", " + $0 } ?? "")): \(i.state)"
        if let reason = i.reason { title += ": \(H.short(reason))" }
        if let f = i.firstCallAt.flatMap(JournalTime.parse), let r = i.runningAt.flatMap(JournalTime.parse), r >= f {
            title += String(format: "; Running again %.1f s after the first call", r.timeIntervalSince(f))
        }
        title += "; \(i.attempts) call\(i.attempts == 1 ? "" : "s")\(i.conflicts > 0 ? ", \(i.conflicts) refused with 409" : "")"
        if i.marks.count > Self.maxRowMarks { title += "; \(i.marks.count - Self.maxRowMarks) more marks in the JSON report" }
        let to = i.runningAt ?? i.finishedAt ?? (i.firstCallAt != nil ? report.end : nil)
        return Row(
            label: i.id, attributes: "data-instance=\"\(H.h(i.id))\" data-batch=\"\(i.batch)\" data-state=\"\(H.h(i.state))\"",
            state: i.state, from: i.firstCallAt ?? i.finishedAt, to: to, title: title, marks: i.marks)
    }

    func batchRow(first: Int, last: Int, _ members: [PlanReport.Instance]) -> Row {
        var counts: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        for i in members {
            counts[i.state, default: 0] += 1
            if i.state == "failed" || i.state == "skipped" { reasons["\(i.state) \(i.reason ?? "")", default: 0] += 1 }
        }
        let terminal = counts.keys.allSatisfy { ["rebooted", "failed", "skipped", "cancelled"].contains($0) }
        let state =
            counts["failed"] != nil
            ? "failed"
            : !terminal
                ? (counts.count == 1 ? (counts.keys.first ?? "pending") : "rebooting")
                : counts["rebooted"] != nil ? "rebooted" : counts["skipped"] != nil ? "skipped" : "cancelled"
        var zones: [String] = []
        for i in members { if let z = i.zone, !zones.contains(z) { zones.append(z) } }
        // The zone of each batch (SPEC §10), in the label when it is one.
        let label = (first == last ? "batch \(first)" : "batches \(first)–\(last)") + (zones.count == 1 ? " \(zones[0])" : "")
        var title =
            "\(label): \(members.count) instances\(zones.count > 1 ? " in \(zones.joined(separator: ", "))" : ""): "
            + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        if !reasons.isEmpty {
            title += "; " + reasons.sorted { $0.value > $1.value }.prefix(5).map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        }
        var marks: [String: Int] = [:]
        for i in members { for m in i.marks { marks[m.kind, default: 0] += 1 } }
        if !marks.isEmpty { title += "; marks: " + marks.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ") }
        let from = members.compactMap(\.firstCallAt).min()
        let to = members.compactMap { $0.runningAt ?? $0.finishedAt }.max() ?? (from != nil ? report.end : nil)
        return Row(
            label: label, attributes: "data-batch=\"\(first)\" data-last-batch=\"\(last)\" data-state=\"\(state)\"",
            state: state, from: from, to: to, title: title, marks: [])
    }

    func svgSection() -> String {
        let (perInstance, rows) = rows()
        let height = H.axisHeight + Double(rows.count) * H.rowHeight + 8
        let width = H.labelWidth + H.plotWidth + 20
        var out =
            "<section id=\"timeline\"><h2>Timeline</h2><p class=\"note\">\(perInstance ? "One row per instance" : "One row per batch\(rows.count < report.batches.count ? " run" : "")"), "
        out += "from the first reboot call to the poll that saw it Running. Hover for details.</p>"
        out += "<div class=\"legend\"><span><i class=\"k-rebooted\"></i>rebooted</span><span><i class=\"k-failed\"></i>failed</span>"
        out +=
            "<span><i class=\"k-skipped\"></i>skipped</span><span><i class=\"k-conflict\"></i>409 wait</span><span><i class=\"k-in-doubt\"></i>in doubt</span>"
        out +=
            "<span><i class=\"k-batch\"></i>batch start</span><span><i class=\"k-gate\"></i>gate check</span><span><i class=\"k-pause\"></i>pause, control</span></div>\n"
        out +=
            "<svg class=\"timeline\" id=\"timeline-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\">\n"
        out += axis(height: height)
        out += pausedSpans(height: height)
        for (k, row) in rows.enumerated() { out += svgRow(row, y: H.axisHeight + Double(k) * H.rowHeight) }
        out += planMarks(height: height)
        return out + "</svg></section>\n"
    }

    func axis(height: Double) -> String {
        var out = "<g class=\"axis\">"
        let ticks = 6
        let dayLong = span > 86_400
        for k in 0...ticks {
            let t = start + span * Double(k) / Double(ticks)
            let px = H.labelWidth + H.plotWidth * Double(k) / Double(ticks)
            let text = String(JournalTime.format(t).dropFirst(dayLong ? 5 : 11).prefix(dayLong ? 11 : 8))
            out += "<line class=\"grid\" x1=\"\(n(px))\" x2=\"\(n(px))\" y1=\"22\" y2=\"\(n(height))\"/>"
            out += "<text x=\"\(n(px))\" y=\"14\" text-anchor=\"\(k == 0 ? "start" : k == ticks ? "end" : "middle")\">\(H.h(text))</text>"
        }
        return out + "</g>\n"
    }

    func svgRow(_ row: Row, y: Double) -> String {
        var out = "<g class=\"row\" \(row.attributes)><text x=\"4\" y=\"\(n(y + 11))\">\(H.h(String(row.label.prefix(26))))</text>"
        if let x0 = x(row.from) {
            let x1 = max(x0 + 3, x(row.to) ?? x0 + 3)
            out +=
                "<rect class=\"bar s-\(H.h(row.state))\" x=\"\(n(x0))\" y=\"\(n(y + 3))\" width=\"\(n(x1 - x0))\" height=\"10\" rx=\"2\"><title>\(H.h(row.title))</title></rect>"
        } else {
            out += "<title>\(H.h(row.title))</title>"
        }
        // Spans first, then ticks, a run of one kind (39 throttled retries) as one tick; at most
        // `maxRowMarks` in all.
        var shown: [(mark: PlanReport.Mark, count: Int)] = []
        for m in row.marks where m.until != nil && ["conflict", "in-doubt"].contains(m.kind) { shown.append((m, 1)) }
        for m in row.marks where !(m.until != nil && ["conflict", "in-doubt"].contains(m.kind)) {
            if let last = shown.last, last.count >= 1, last.mark.kind == m.kind, last.mark.until == nil || !["conflict", "in-doubt"].contains(m.kind)
            {
                shown[shown.count - 1].count += 1
            } else {
                shown.append((m, 1))
            }
        }
        for (m, count) in shown.prefix(Self.maxRowMarks) {
            guard let mx = x(m.at) else { continue }
            let times = count > 1 ? " ×\(count)" : ""
            let title = "<title>\(H.h("\(m.kind)\(times) at \(m.at): \(H.short(m.detail))"))</title>"
            if let until = x(m.until), ["conflict", "in-doubt"].contains(m.kind) {
                out +=
                    "<rect class=\"mk mk-\(m.kind)\" x=\"\(n(mx))\" y=\"\(n(y + 1))\" width=\"\(n(max(2, until - mx)))\" height=\"14\">\(title)</rect>"
            } else {
                out += "<line class=\"mk mk-\(H.h(m.kind))\" x1=\"\(n(mx))\" x2=\"\(n(mx))\" y1=\"\(n(y + 1))\" y2=\"\(n(y + 15))\">\(title)</line>"
            }
        }
        return out + "</g>\n"
    }

    /// Shaded spans while the plan was paused: from a pause to the next resume (or the end).
    func pausedSpans(height: Double) -> String {
        var out = ""
        var pausedAt: String?
        for m in report.marks {
            if m.kind == "paused" || m.kind == "account-paused" { pausedAt = pausedAt ?? m.at }
            if m.kind == "resumed" || m.kind == "cancelled", let p = pausedAt, let x0 = x(p), let x1 = x(m.at) {
                out += "<rect class=\"pausedspan\" x=\"\(n(x0))\" y=\"22\" width=\"\(n(max(1, x1 - x0)))\" height=\"\(n(height - 22))\"/>"
                pausedAt = nil
            }
        }
        if let p = pausedAt, let x0 = x(p) {
            out +=
                "<rect class=\"pausedspan\" x=\"\(n(x0))\" y=\"22\" width=\"\(n(max(1, H.labelWidth + H.plotWidth - x0)))\" height=\"\(n(height - 22))\"/>"
        }
        return out
    }

    /// Batch starts, pauses, controls, account pauses and halts as lines across the rows; gate
    /// checks as small triangles on the axis, a run of one result as one. Within a budget
    /// (`PlanReportMarks`), so a plan of 100,000 batches stays small, and a halt is never left out.
    func planMarks(height: Double) -> String {
        var out = "<g class=\"marks\">"
        for s in PlanReportMarks.condensed(report.marks, budget: H.maxPlanMarks) {
            let m = s.mark
            guard let mx = x(m.at) else { continue }
            let title = "<title>\(H.h(s.title))</title>"
            if m.kind.hasPrefix("gate-") {
                let x1 = max(mx, x(s.lastAt) ?? mx)
                out += "<path class=\"m m-\(m.kind)\" d=\"M\(n(mx - 4)) 20 L\(n(x1 + 4)) 20 L\(n(x1)) 28 L\(n(mx)) 28 Z\">\(title)</path>"
            } else {
                let batch = m.kind == "batch-start" ? " data-batch=\"\(m.detail.dropFirst(6).prefix { $0.isNumber })\"" : ""
                out += "<line class=\"m m-\(H.h(m.kind))\"\(batch) x1=\"\(n(mx))\" x2=\"\(n(mx))\" y1=\"22\" y2=\"\(n(height))\">\(title)</line>"
            }
        }
        return out + "</g>\n"
    }

    func n(_ v: Double) -> String { String(format: "%.1f", v) }
}
