import Foundation

/// Hex and zero-padded decimals without `String(format:)`, which costs microseconds per call
/// on Linux and sat on the signing hot path (two HMACs a request).
public enum FastFormat {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    public static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// UTC calendar fields of a Unix time in seconds.
    public static func utc(_ seconds: Int) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return (
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec)
        )
    }

    /// `2015-08-11T04:17:29Z`, or `2015-08-11T04:17:29.123Z` with `millis`.
    public static func iso8601(_ seconds: Int, millis: Int? = nil) -> String {
        let u = utc(seconds)
        let fraction = millis.map { "." + padded($0, 3) } ?? ""
        return "\(padded(u.year, 4))-\(padded(u.month, 2))-\(padded(u.day, 2))T"
            + "\(padded(u.hour, 2)):\(padded(u.minute, 2)):\(padded(u.second, 2))\(fraction)Z"
    }
}
