import Foundation

/// Durations as plans and the config write them: `300ms`, `90s`, `5m`, `1h30m`, or a
/// non-negative number of seconds.
///
/// Durations are at most `maxSeconds` (366 days, SPEC §2) in plans, in the config and in
/// rebootctl flags alike: past that a value is refused with a message, never converted (a huge
/// one such as `1e19` would overflow an integer conversion further on and trap).
public enum DurationParser {
    /// 366 days.
    public static let maxSeconds: TimeInterval = 366 * 86_400

    /// Why a text is not an acceptable duration.
    public enum Failure: Error, Equatable, Sendable {
        /// Not a duration at all (or negative).
        case malformed
        /// A duration longer than `maxSeconds`.
        case tooLong
    }

    /// Seconds, or nil when `text` is not a duration of at most 366 days.
    public static func parse(_ text: String) -> TimeInterval? { try? check(text).get() }

    /// Seconds, or why not.
    public static func check(_ text: String) -> Result<TimeInterval, Failure> {
        guard let seconds = parseUnbounded(text) else { return .failure(.malformed) }
        return seconds <= maxSeconds ? .success(seconds) : .failure(.tooLong)
    }

    /// The message for a failure.
    public static func explain(_ failure: Failure) -> String {
        switch failure {
        case .malformed: return "must be a non-negative duration like 300ms, 90s, 5m, 1h30m, or a number of seconds"
        case .tooLong: return "is longer than 366 days, the longest duration allowed"
        }
    }

    /// Any non-negative, finite number of seconds written the duration way.
    static func parseUnbounded(_ text: String) -> TimeInterval? {
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
            if rest.hasPrefix("ms") {
                unit = 0.001
                index = s.index(index, offsetBy: 2)
            } else if c == "h" {
                unit = 3600
                index = s.index(after: index)
            } else if c == "m" {
                unit = 60
                index = s.index(after: index)
            } else if c == "s" {
                unit = 1
                index = s.index(after: index)
            } else {
                return nil
            }
            total += value * unit
            digits = ""
            sawUnit = true
        }
        return digits.isEmpty && sawUnit && total.isFinite ? total : nil
    }

    /// A short human form: `1h30m`, `90s` → `1m30s`, `0.3s`.
    public static func format(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "\(seconds)s" }
        if seconds < 1 { return seconds == 0 ? "0s" : String(format: "%.0fms", seconds * 1000) }
        // Past any duration a plan may hold (a far ETA): no integer conversion that could trap.
        if seconds >= 100 * maxSeconds { return String(format: "%.0fd", seconds / 86_400) }
        var rest = Int(seconds.rounded())
        var out = ""
        if rest >= 3600 {
            out += "\(rest / 3600)h"
            rest %= 3600
        }
        if rest >= 60 {
            out += "\(rest / 60)m"
            rest %= 60
        }
        if rest > 0 || out.isEmpty { out += "\(rest)s" }
        return out
    }
}
