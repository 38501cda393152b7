import Dispatch
import Foundation

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
