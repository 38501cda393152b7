import Dispatch
import Foundation

/// `SchedulerTimer` on a `DispatchSourceTimer`, armed at monotonic instants of its clock.
final class DispatchTimer: SchedulerTimer, @unchecked Sendable {
    private let source: DispatchSourceTimer
    private let clock: SystemClock

    init(clock: SystemClock, queue: DispatchQueue, handler: @escaping @Sendable () -> Void) {
        self.clock = clock
        source = DispatchSource.makeTimerSource(queue: queue)
        source.setEventHandler(handler: handler)
        source.schedule(deadline: .distantFuture)
        source.activate()
    }

    func schedule(at date: Date) {
        let delay = max(0, date.timeIntervalSince(clock.now()))
        source.schedule(deadline: .now() + delay, leeway: .milliseconds(1))
    }

    func cancel() { source.schedule(deadline: .distantFuture) }

    deinit { source.cancel() }
}
