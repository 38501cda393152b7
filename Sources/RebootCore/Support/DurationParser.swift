import Foundation

/// Durations as plans and the config write them: `300ms`, `90s`, `5m`, `1h30m`, or a
/// non-negative number of seconds.
public enum DurationParser {
    /// Seconds, or nil when `text` is not a duration.
    public static func parse(_ text: String) -> TimeInterval? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return nil }
        if let number = Double(s) { return number >= 0 && number.isFinite ? number : nil }
        var total: TimeInterval = 0
        var digits = ""
        var index = s.startIndex
        var sawUnit = false
        while index < s.endIndex {
            let c = s[index]
            if c.isNumber || c == "." {
                digits.append(c)
                index = s.index(after: index)
                continue
            }
            guard let value = Double(digits) else { return nil }
            let rest = s[index...]
            let unit: Double
            if rest.hasPrefix("ms") { unit = 0.001; index = s.index(index, offsetBy: 2) }
            else if c == "h" { unit = 3600; index = s.index(after: index) }
            else if c == "m" { unit = 60; index = s.index(after: index) }
            else if c == "s" { unit = 1; index = s.index(after: index) }
            else { return nil }
            total += value * unit
            digits = ""
            sawUnit = true
        }
        return digits.isEmpty && sawUnit ? total : nil
    }

    /// A short human form: `1h30m`, `90s` → `1m30s`, `0.3s`.
    public static func format(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return seconds == 0 ? "0s" : String(format: "%.0fms", seconds * 1000) }
        var rest = Int(seconds.rounded())
        var out = ""
        if rest >= 3600 { out += "\(rest / 3600)h"; rest %= 3600 }
        if rest >= 60 { out += "\(rest / 60)m"; rest %= 60 }
        if rest > 0 || out.isEmpty { out += "\(rest)s" }
        return out
    }
}
