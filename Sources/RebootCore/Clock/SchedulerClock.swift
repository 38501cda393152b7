import Dispatch
import Foundation

/// Time for the scheduler (SPEC §4.13). `now()` is a monotonic instant: every interval (rate
/// limiting, timeouts, grace periods, backoff, pauses, poll spacing) is measured with it, so a
/// step of the wall clock never makes an instance time out, a grace expire or the limiter
/// stall. `wallNow()` is the wall clock, used only for journal timestamps, windows and
/// `startAfter`. Timers fire at monotonic instants. Production uses `SystemClock`; tests use
/// `ManualClock` and run in virtual time, with the wall clock steppable on its own.
public protocol SchedulerClock: Sendable {
    /// A monotonic instant, expressed as a `Date` near the wall time at start.
    func now() -> Date
    /// The wall clock.
    func wallNow() -> Date
    /// A timer whose handler runs on `queue`; it fires once per `schedule(at:)` (a `now()` instant).
    func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer
    /// The boot's clock and id, journaled with each reboot call's send (SPEC §4.8).
    func boot() -> BootStamp
}

extension SchedulerClock {
    /// The monotonic instant at which the wall clock will read `wall`, if it is not stepped.
    public func monotonic(forWall wall: Date) -> Date { now() + wall.timeIntervalSince(wallNow()) }
}
