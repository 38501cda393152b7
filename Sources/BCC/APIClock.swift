import Foundation

/// The API's clock as this host sees it, learned from the `Date` header of its answers (SPEC §1).
/// BCE checks a signature's timestamp and expiry on its own clock, so requests are signed on the
/// API's time, carried forward from its latest answer on the monotonic clock: a host clock that
/// runs behind or ahead, or is stepped, neither gets every call refused as `RequestExpired` nor
/// moves a reboot call's effect deadline, which then is its send plus the expiry, give or take
/// the header's one-second resolution. Until an answer has carried a `Date`, the host's clock.
public final class APIClock: @unchecked Sendable {
    private let lock = NSLock()
    /// The API's time at the monotonic instant `monotonic`, from the latest `Date` header.
    private var anchor: (api: TimeInterval, monotonic: TimeInterval)?
    private var lastHeader = ""
    private let monotonicNow: @Sendable () -> TimeInterval

    /// `monotonic` reads a clock that no wall-clock step moves (CLOCK_MONOTONIC by default).
    public init(monotonic: @escaping @Sendable () -> TimeInterval = APIClock.systemMonotonic) {
        monotonicNow = monotonic
    }

    public static func systemMonotonic() -> TimeInterval {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return TimeInterval(ts.tv_sec) + TimeInterval(ts.tv_nsec) / 1e9
    }

    /// The API's time now: carried forward on the monotonic clock from the latest answer, so a
    /// step of this host's wall clock does not move it; `hostNow` until an answer has carried a
    /// `Date`.
    public func now(hostNow: Date) -> Date {
        let anchor = lock.withLock { self.anchor }
        guard let anchor else { return hostNow }
        return Date(timeIntervalSince1970: anchor.api + (monotonicNow() - anchor.monotonic))
    }

    /// Learns from one answer's `Date` header.
    public func observe(dateHeader: String) {
        lock.lock()
        defer { lock.unlock() }
        // One parse a second at most: the header changes once a second.
        guard dateHeader != lastHeader, let api = Self.parseIMFFixdate(dateHeader) else { return }
        lastHeader = dateHeader
        // The header is truncated to the second: the API's time was up to a second later.
        anchor = (api + 0.5, monotonicNow())
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Dec 2026 23:42:49 GMT` (RFC 9110 §5.6.7) as seconds since 1970, or nil.
    static func parseIMFFixdate(_ text: String) -> TimeInterval? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
            (0...60).contains(clock[2]), (1970...9999).contains(year)
        else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(clock[0])
        t.tm_min = Int32(clock[1])
        t.tm_sec = Int32(clock[2])
        return TimeInterval(timegm(&t))
    }
}
