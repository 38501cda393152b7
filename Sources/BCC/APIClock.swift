import Foundation

/// The API's clock as this host sees it, learned from the `Date` header of its answers (SPEC §1).
/// BCE checks a signature's timestamp and expiry on its own clock, so requests are signed on
/// `now() + offset`: a host clock that runs behind or ahead (or is stepped) neither gets every
/// call refused as `RequestExpired` nor moves a reboot call's effect deadline, which then is
/// its send plus the expiry, give or take the header's one-second resolution. Until an answer
/// has carried a `Date`, the offset is 0 (the host's clock).
public final class APIClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0
    private var lastHeader = ""

    public init() {}

    /// Seconds to add to this host's clock to read the API's.
    public var offsetSeconds: TimeInterval { lock.withLock { offset } }

    /// Learns from one answer's `Date` header, received at `local` (this host's clock).
    public func observe(dateHeader: String, receivedAt local: Date) {
        lock.lock()
        defer { lock.unlock() }
        // One parse a second at most: the header changes once a second.
        guard dateHeader != lastHeader, let api = Self.parseIMFFixdate(dateHeader) else { return }
        lastHeader = dateHeader
        // The header is truncated to the second: the API's time was up to a second later.
        offset = api + 0.5 - local.timeIntervalSince1970
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Dec 2026 23:42:49 GMT` (RFC 9110 §5.6.7) as seconds since 1970, or nil.
    static func parseIMFFixdate(_ text: String) -> TimeInterval? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
              (0...60).contains(clock[2]), (1970...9999).contains(year) else { return nil }
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
