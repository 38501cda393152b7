import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify without libsystemd: datagrams to `$NOTIFY_SOCKET` (a path, or `@name` for an
/// abstract socket). Does nothing when the variable is unset.
public final class SystemdNotifier: @unchecked Sendable {
    private let fd: Int32
    private var address = sockaddr_un()
    private var length: socklen_t = 0
    public let isEnabled: Bool
    private let lock = NSLock()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 else {
            fd = -1
            isEnabled = false
            return
        }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        isEnabled = fd >= 0
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends one message such as `READY=1` or `STATUS=...`; returns false when not sent.
    @discardableResult
    public func notify(_ message: String) -> Bool {
        guard isEnabled else { return false }
        lock.lock()
        defer { lock.unlock() }
        let data = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                sendto(fd, data, data.count, Int32(MSG_NOSIGNAL), sa, length)
            }
        }
        return sent == data.count
    }

    /// Half of `WATCHDOG_USEC`, when systemd asks for watchdog pings (a finite, positive number
    /// of microseconds; `Double` also reads "inf" and "nan").
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> TimeInterval? {
        guard let text = environment["WATCHDOG_USEC"], let usec = Double(text), usec.isFinite, usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], let p = Int32(pid), p != getpid() { return nil }
        return usec / 2_000_000
    }
}
