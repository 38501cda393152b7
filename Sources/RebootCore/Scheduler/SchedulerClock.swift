import Dispatch
import Foundation

/// Time for the scheduler: the current instant and one-shot timers on its queue. Production
/// uses `DispatchSourceTimer`; tests use `ManualClock` and run in virtual time.
public protocol SchedulerClock: Sendable {
    func now() -> Date
    /// A timer whose handler runs on `queue`; it fires once per `schedule(at:)`.
    func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer
}
