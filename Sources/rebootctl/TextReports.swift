import ArgumentParser
import Foundation
import RebootCore

/// Human output, within 80 columns. Every value from outside (ids, file and user names, API
/// messages) goes through `e`, so control characters print as escapes (SafeText).
enum TextReports {
    static func e(_ text: String) -> String { SafeText.escaped(text) }

    static func counts(_ c: [String: Int]) -> String {
        var parts: [String] = []
        for state in ["rebooted", "failed", "skipped", "cancelled", "rebooting", "waiting", "pending"] {
            if let n = c[state], n > 0 { parts.append("\(n) \(state)") }
        }
        return parts.joined(separator: ", ")
    }

    static func summaries(_ plans: [PlanSummaryReport]) -> String {
        guard !plans.isEmpty else { return "no plans" }
        // The id on a line of its own: never cut (ids reach 81 characters), within 80 columns.
        var lines = ["PLAN", "  " + pad("STATE", 15) + pad("BATCH", 8) + "DONE"]
        for p in plans {
            let done = (p.counts["rebooted"] ?? 0) + (p.counts["failed"] ?? 0) + (p.counts["skipped"] ?? 0) + (p.counts["cancelled"] ?? 0)
            lines.append(e(p.id))
            lines.append("  " + pad(e(p.state), 15) + pad("\(max(p.currentBatch, 0))/\(p.batchCount)", 8) + "\(done)/\(p.instances)")
            let c = counts(p.counts)
            if !c.isEmpty { lines.append("  " + String(c.prefix(76))) }
            if let zone = p.zone { lines.append("  batch \(p.currentBatch) in zone \(e(zone))") }
            // Why a plan is held: "waiting for gate web-quorum: exit 1: quorum 2/3", a pause's reason.
            // Wrapped, not cut: a window's reason ends with its next opening.
            if ["waiting-gate", "paused", "waiting-window"].contains(p.state), let r = p.reason {
                lines += wrap(e(r), width: 76).prefix(3).map { "  " + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func detail(_ p: PlanDetailReport) -> String {
        var lines = ["plan \(e(p.id))  [\(e(p.state))]"]
        // The ticket whole (up to 128 characters), wrapped at 70.
        if let t = p.ticket { lines += wrap(e(t), width: 70).enumerated().map { ($0.offset == 0 ? "  ticket: " : "          ") + $0.element } }
        lines += [
            "  from \(e(p.sourceFile)) by \(e(p.submitter.name)) at \(e(p.submittedAt))",
            "  batch \(max(p.currentBatch, 0))/\(p.batchCount); \(counts(p.counts))",
        ]
        if let r = p.reason {
            let wrapped = wrap(e(r), width: 70).prefix(3)
            lines += wrapped.enumerated().map { ($0.offset == 0 ? "  reason: " : "          ") + $0.element }
        }
        // The zone of each batch (SPEC §2 `zones`), as runs: "zones: 1-2 cn-bj-a, 3-4 cn-bj-b".
        var runs: [(from: Int, to: Int, zone: String)] = []
        for i in p.instances {
            guard let zone = i.zone else { continue }
            if let last = runs.last, last.zone == zone, i.batch <= last.to + 1 {
                runs[runs.count - 1].to = max(last.to, i.batch)
            } else if !(runs.last.map { $0.zone == zone && i.batch >= $0.from && i.batch <= $0.to } ?? false) {
                runs.append((i.batch, i.batch, zone))
            }
        }
        // Only where every batch is of one zone (`zones: one-at-a-time`): a mixed plan's zones are
        // in `--json`, per instance.
        var zoneOfBatch: [Int: String] = [:]
        let oneEach = p.instances.allSatisfy { i in i.zone.map { z in zoneOfBatch.updateValue(z, forKey: i.batch).map { $0 == z } ?? true } ?? true }
        if !runs.isEmpty && oneEach {
            let text = runs.map { ($0.from == $0.to ? "\($0.from)" : "\($0.from)-\($0.to)") + " " + e($0.zone) }.joined(separator: ", ")
            lines += wrap(text, width: 70).enumerated().map { ($0.offset == 0 ? "  zones:  " : "          ") + $0.element }
        }
        lines.append(pad("INSTANCE", 24) + pad("STATE", 11) + pad("BATCH", 6) + pad("TRIES", 6) + "LAST ERROR / STATUS")
        for i in p.instances {
            let last = i.lastError ?? i.lastStatus ?? ""
            lines.append(pad(e(i.id), 24) + pad(e(i.state), 11) + pad("\(i.batch)", 6) + pad("\(i.attempts)", 6) + String(e(last).prefix(33)))
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    /// `text` in lines of at most `width` characters, broken at spaces where it can be.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = Substring(word)
            // A long token (a PromQL series, a URL) fills the line where it starts, as a cut at the
            // width did before, instead of leaving a short first line; a short word moves whole.
            while line.count + (line.isEmpty ? 0 : 1) + word.count > width && word.count > 24 {
                let room = width - line.count - (line.isEmpty ? 0 : 1)
                guard room > 0 else {
                    lines.append(line)
                    line = ""
                    continue
                }
                lines.append(line.isEmpty ? String(word.prefix(room)) : line + " " + word.prefix(room))
                line = ""
                word = word.dropFirst(room)
            }
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
