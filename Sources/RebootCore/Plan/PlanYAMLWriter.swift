import Foundation

/// Writes a `Plan` back as a plan file (SPEC §2, YAML) that `PlanParser` reads as the same
/// plan: every setting spelled out, defaults included, so that a reviewer sees what will
/// run. Strings are double-quoted (a name like `true` or `1e3` stays a string); durations are
/// written as the parser reads them back exactly. `rebootctl resubmit` writes its plans with it.
public enum PlanYAMLWriter {
    /// The plan keys this writer writes (some only when set). Every key of `PlanParser.keys`
    /// but `neverWritten` must be here: a setting added to plans must be added here too, or a
    /// resubmitted plan would silently lose it (`PlanYAMLWriterTests` holds that).
    public static let writtenKeys = [
        "name", "ticket", "batchSize", "forceStop", "pauseBetweenBatches", "maxFailures", "rebootTimeout", "conflictRetry",
        "window", "startAfter", "region", "dryRun", "healthGates", "zones", "pauseBetweenZones", "checkpoints", "instances",
    ]
    /// Keys never written: a written plan lists its instances; whatever it selected has been
    /// resolved into them.
    public static let neverWritten: Set<String> = ["select"]

    /// The plan file: `header` lines as comments first, then the settings, then the instances,
    /// each followed by its note (as a comment) when `notes` gives one.
    /// The zones a started plan learned (`instanceZones`) are not written: they are no key, and
    /// the plan learns them again when it starts.
    public static func yaml(_ plan: Plan, header: [String] = [], notes: [String?] = []) -> String {
        var out = ""
        out.reserveCapacity(256 + plan.instances.count * 48)
        for line in header { out += "# \(SafeText.escaped(line))\n" }
        out += "name: \(quoted(plan.name))\n"
        if let ticket = plan.ticket { out += "ticket: \(quoted(ticket))\n" }
        out += "batchSize: \(batchSize(plan.batchSize))\n"
        out += "forceStop: \(plan.forceStop)\n"
        out += "pauseBetweenBatches: \(duration(plan.pauseBetweenBatches))\n"
        out += "maxFailures: \(budget(plan.maxFailures))\n"
        out += "rebootTimeout: \(duration(plan.rebootTimeout))\n"
        out += "conflictRetry:\n  maxAttempts: \(plan.conflictRetry.maxAttempts)\n  timeout: \(duration(plan.conflictRetry.timeout))\n"
        if let w = plan.window {
            let days = w.days.sorted().map { MaintenanceWindow.dayNames[$0 - 1] }.joined(separator: ", ")
            out += "window:\n  days: [\(days)]\n"
            out += "  start: \(quoted(MaintenanceWindow.clock(w.start)))\n  end: \(quoted(MaintenanceWindow.clock(w.end)))\n"
            out += "  timezone: \(quoted(w.timezone))\n"
        }
        if let at = plan.startAfter { out += "startAfter: \(quoted(rfc3339(at)))\n" }
        if let region = plan.region { out += "region: \(quoted(region))\n" }
        out += "dryRun: \(plan.dryRun)\n"
        if let gates = plan.healthGates { out += "healthGates: [\(gates.map(quoted).joined(separator: ", "))]\n" }
        if let zones = plan.zones { out += "zones: \(quoted(zones.rawValue))\n" }
        if let pause = plan.pauseBetweenZones { out += "pauseBetweenZones: \(duration(pause))\n" }
        if let checkpoints = plan.checkpoints { out += "checkpoints: [\(checkpoints.map(String.init).joined(separator: ", "))]\n" }
        out += "instances:\n"
        for (i, id) in plan.instances.enumerated() {
            out += "  - \(PlanParser.isInstanceId(id) ? id : quoted(id))"
            if i < notes.count, let note = notes[i] { out += "  # \(SafeText.escaped(note))" }
            out += "\n"
        }
        return out
    }

    /// A YAML double-quoted scalar: `\` and `"` escaped, and anything that does not print as
    /// itself written as `\uXXXX` (or `\UXXXXXXXX`).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if SafeText.needsEscape(scalar) || !PlanParser.isPrintable(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += scalar.value > 0xFFFF ? "\\U" + pad(hex, 8) : "\\u" + pad(hex, 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func pad(_ hex: String, _ width: Int) -> String { String(repeating: "0", count: max(0, width - hex.count)) + hex }

    static func step(_ step: BatchSize.Step) -> String {
        switch step {
        case .count(let n): "\(n)"
        case .percent(let p): "\"\(p)%\""
        }
    }

    static func batchSize(_ size: BatchSize) -> String {
        switch size {
        case .fixed(let s): step(s)
        case .list(let steps): "[\(steps.map(step).joined(separator: ", "))]"
        }
    }

    static func budget(_ budget: FailureBudget) -> String {
        switch budget {
        case .count(let n): "\(n)"
        case .percent(let p): "\"\(p)%\""
        }
    }

    /// `5m`, `1h30m`, `300ms` when the parser reads that back as exactly `seconds`, else the
    /// number of seconds in full.
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds == seconds.rounded() {
            let text = DurationParser.format(seconds)
            if DurationParser.parse(text) == seconds { return text }
        }
        let millis = (seconds * 1000).rounded()
        if millis < 1e9 {
            let text = "\(Int(millis))ms"
            if DurationParser.parse(text) == seconds { return text }
        }
        return "\(seconds)"
    }

    /// RFC 3339 in UTC, with milliseconds only when the instant has them.
    static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions =
            date.timeIntervalSince1970 == date.timeIntervalSince1970.rounded()
            ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
