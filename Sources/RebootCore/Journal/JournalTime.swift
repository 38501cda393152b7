import BCC
import Foundation

/// Journal times: UTC, millisecond precision, `2026-11-27T17:45:00.123Z`, sortable as text.
public enum JournalTime {
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return FastFormat.iso8601(Int(ms / 1000), millis: Int(ms % 1000))
    }

    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? PlanParser.parseRFC3339(text)
    }

    /// `20261127T174500Z`, the prefix of plan ids.
    public static func compact(_ date: Date) -> String {
        let u = FastFormat.utc(Int(date.timeIntervalSince1970))
        let p = FastFormat.padded
        return "\(p(u.year, 4))\(p(u.month, 2))\(p(u.day, 2))T\(p(u.hour, 2))\(p(u.minute, 2))\(p(u.second, 2))Z"
    }
}
