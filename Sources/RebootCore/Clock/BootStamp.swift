import Foundation

/// A reading of the boot's monotonic clock (`CLOCK_BOOTTIME`, which also counts suspend) with
/// the kernel's boot id (SPEC §4.8). A reboot call's send is journaled with one, so that a
/// restarted daemon measures how long ago it was sent without the wall clock: on the same boot
/// by subtraction; across a host reboot the time is unknown (longer than any limit).
public struct BootStamp: Sendable, Equatable {
    public var nanoseconds: Int64
    public var bootId: String

    public init(nanoseconds: Int64, bootId: String) {
        self.nanoseconds = nanoseconds
        self.bootId = bootId
    }

    /// Seconds from `earlier` to this stamp, or nil when they are of different boots (or the
    /// earlier stamp lies ahead, which no single boot's clock does).
    public func seconds(since earlier: BootStamp) -> TimeInterval? {
        guard !bootId.isEmpty, bootId == earlier.bootId, nanoseconds >= earlier.nanoseconds else { return nil }
        return TimeInterval(nanoseconds - earlier.nanoseconds) / 1e9
    }

    /// This machine's boot id (`/proc/sys/kernel/random/boot_id`), read once; empty where it
    /// cannot be read, which makes every comparison unknown.
    public static let systemBootId: String = {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }()

    /// The boot clock now.
    public static func system() -> BootStamp {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return BootStamp(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec), bootId: systemBootId)
    }
}
