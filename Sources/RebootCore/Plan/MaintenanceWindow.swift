import Foundation

/// A weekly maintenance window in an IANA time zone: no reboot call is sent outside it, not
/// even inside a started batch (SPEC §2, §4.1).
/// `end` before `start` wraps past midnight (the day named is the day the window opens).
public struct MaintenanceWindow: Sendable, Equatable, Codable {
    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Weekdays the window opens on, 1 = Sunday ... 7 = Saturday (Calendar's numbering).
    public var days: Set<Int>
    /// Minutes after local midnight.
    public var start: Int
    public var end: Int
    public var timezone: String

    public init(days: Set<Int> = Set(1...7), start: Int, end: Int, timezone: String = "UTC") {
        self.days = days
        self.start = start
        self.end = end
        self.timezone = timezone
    }

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")!
        return c
    }

    /// True when a batch may start at `date`.
    public func isOpen(at date: Date) -> Bool {
        let cal = calendar
        let parts = cal.dateComponents([.weekday, .hour, .minute], from: date)
        let weekday = parts.weekday ?? 1
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if start == end { return days.contains(weekday) }
        if start < end { return days.contains(weekday) && minute >= start && minute < end }
        let yesterday = weekday == 1 ? 7 : weekday - 1
        return (days.contains(weekday) && minute >= start) || (days.contains(yesterday) && minute < end)
    }

    /// `date` itself when open, else the next instant the window opens (within 8 days), or nil
    /// when it never opens.
    public func nextOpening(after date: Date) -> Date? {
        if isOpen(at: date) { return date }
        let cal = calendar
        let startOfDay = cal.startOfDay(for: date)
        for offset in 0...8 {
            guard let day = cal.date(byAdding: .day, value: offset, to: startOfDay),
                let opening = cal.date(bySettingHour: start / 60, minute: start % 60, second: 0, of: day)
            else { continue }
            if opening > date && isOpen(at: opening) { return opening }
        }
        return nil
    }

    /// `date` as the window's people read it: RFC 3339 in the window's time zone
    /// (`2026-12-08T01:00:00+08:00`).
    public func localTime(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = calendar.timeZone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// `mon-fri 01:00-05:00 Asia/Shanghai`.
    public var summary: String {
        let names = days.sorted().map { Self.dayNames[$0 - 1] }
        let dayText = days.count == 7 ? "every day" : names.joined(separator: ",")
        return "\(dayText) \(Self.clock(start))-\(Self.clock(end)) \(timezone)"
    }

    static func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}
