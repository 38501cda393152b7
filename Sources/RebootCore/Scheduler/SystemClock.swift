import Dispatch
import Foundation

/// Wall-clock time with `DispatchSourceTimer`.
public struct SystemClock: SchedulerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer {
        DispatchTimer(queue: queue, handler: handler)
    }
}
