import Dispatch
import Foundation

/// The real clocks: `now()` on CLOCK_MONOTONIC (anchored to the wall time at start, so values
/// read naturally), `wallNow()` on the wall clock, timers on `DispatchSourceTimer` (whose
/// deadlines are monotonic too).
public struct SystemClock: SchedulerClock {
    private let anchorWall: Date
    private let anchorMonotonic: TimeInterval

    public init() {
        anchorWall = Date()
        anchorMonotonic = Self.monotonicSeconds()
    }

    static func monotonicSeconds() -> TimeInterval {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return TimeInterval(ts.tv_sec) + TimeInterval(ts.tv_nsec) / 1e9
    }

    public func now() -> Date { anchorWall + (Self.monotonicSeconds() - anchorMonotonic) }

    public func wallNow() -> Date { Date() }

    public func boot() -> BootStamp { BootStamp.system() }

    public func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer {
        DispatchTimer(clock: self, queue: queue, handler: handler)
    }
}
