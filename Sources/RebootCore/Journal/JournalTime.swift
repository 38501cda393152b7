import BCC
import Foundation

/// Journal times: UTC, millisecond precision, `2026-11-27T17:45:00.123Z`, sortable as text.
public enum JournalTime {
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var t = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        let p = FastFormat.padded
        return "\(p(Int(parts.tm_year) + 1900, 4))-\(p(Int(parts.tm_mon) + 1, 2))-\(p(Int(parts.tm_mday), 2))T"
            + "\(p(Int(parts.tm_hour), 2)):\(p(Int(parts.tm_min), 2)):\(p(Int(parts.tm_sec), 2)).\(p(Int(ms % 1000), 3))Z"
    }

    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? PlanParser.parseRFC3339(text)
    }

    /// `20261127T174500Z`, the prefix of plan ids.
    public static func compact(_ date: Date) -> String {
        var t = time_t(Int(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&t, &parts)
        let p = FastFormat.padded
        return "\(p(Int(parts.tm_year) + 1900, 4))\(p(Int(parts.tm_mon) + 1, 2))\(p(Int(parts.tm_mday), 2))T"
            + "\(p(Int(parts.tm_hour), 2))\(p(Int(parts.tm_min), 2))\(p(Int(parts.tm_sec), 2))Z"
    }
}
