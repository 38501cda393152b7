import BCC
import Foundation

/// Journal times: UTC, millisecond precision, `2026-11-27T17:45:00.123Z`, sortable as text.
public enum JournalTime {
    public static func format(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return FastFormat.iso8601(Int(ms / 1000), millis: Int(ms % 1000))
    }

    public static func parse(_ text: String) -> Date? {
        if let fast = parseOwnFormat(text) { return fast }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? PlanParser.parseRFC3339(text)
    }

    /// The journal's own `YYYY-MM-DDTHH:MM:SS.mmmZ`, read by hand: a report of 100,000
    /// instances parses hundreds of thousands of times, and a formatter costs ~200 µs each.
    static func parseOwnFormat(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46, b[23] == 90 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let s = num(17, 2), let ms = num(20, 3), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86_400 + h * 3600 + mi * 60 + s) + Double(ms) / 1000
        return Date(timeIntervalSince1970: seconds)
    }

    /// `20261127T174500Z`, the prefix of plan ids.
    public static func compact(_ date: Date) -> String {
        let u = FastFormat.utc(Int(date.timeIntervalSince1970))
        let p = FastFormat.padded
        return "\(p(u.year, 4))\(p(u.month, 2))\(p(u.day, 2))T\(p(u.hour, 2))\(p(u.minute, 2))\(p(u.second, 2))Z"
    }
}
