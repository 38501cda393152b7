import Dispatch
import Foundation

/// Time for the scheduler: the current instant and one-shot timers on its queue. Production
/// uses `DispatchSourceTimer`; tests use `ManualClock` and run in virtual time.
public protocol SchedulerClock: Sendable {
    func now() -> Date
    /// A timer whose handler runs on `queue`; it fires once per `schedule(at:)`.
    func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer
}

/// A re-armable one-shot timer.
public protocol SchedulerTimer: AnyObject, Sendable {
    func schedule(at date: Date)
    func cancel()
}

/// Wall-clock time with `DispatchSourceTimer`.
public struct SystemClock: SchedulerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer {
        DispatchTimer(queue: queue, handler: handler)
    }
}

/// `SchedulerTimer` on a `DispatchSourceTimer`.
final class DispatchTimer: SchedulerTimer, @unchecked Sendable {
    private let source: DispatchSourceTimer

    init(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: queue)
        source.setEventHandler(handler: handler)
        source.schedule(deadline: .distantFuture)
        source.activate()
    }

    func schedule(at date: Date) {
        let delay = max(0, date.timeIntervalSinceNow)
        source.schedule(deadline: .now() + delay, leeway: .milliseconds(1))
    }

    func cancel() { source.schedule(deadline: .distantFuture) }

    deinit { source.cancel() }
}
