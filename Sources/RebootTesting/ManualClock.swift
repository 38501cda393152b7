import Dispatch
import Foundation
import RebootCore

/// Virtual time for tests: `advance(by:)` moves the clock and fires due timers, in order, on
/// their queues. Nothing sleeps. The wall clock can be stepped on its own (`stepWall(by:)`),
/// as NTP or a resumed VM would, without moving the monotonic time.
public final class ManualClock: SchedulerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var timers: [ManualTimer] = []
    private var wallOffset: TimeInterval = 0
    private var fired = 0

    /// Timer firings so far (a busy loop shows as thousands of them).
    public var firedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return fired
    }

    private let start: Date
    private var bootId = "manual-boot-1"
    private var bootOffset: Int64 = 1_000_000_000_000

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = start
        self.start = start
    }

    public func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    public func wallNow() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current + wallOffset
    }

    /// The virtual boot clock: it runs with `now()` from the clock's start, on boot `bootId`.
    public func boot() -> BootStamp {
        lock.lock()
        defer { lock.unlock() }
        return BootStamp(nanoseconds: Int64((current.timeIntervalSince(start) * 1e9).rounded()) + bootOffset, bootId: bootId)
    }

    /// A host reboot: the boot clock starts again from zero under a new boot id.
    public func rebootHost() {
        lock.lock()
        defer { lock.unlock() }
        bootId = UUID().uuidString.lowercased()
        bootOffset = -Int64((current.timeIntervalSince(start) * 1e9).rounded())
    }

    /// Steps the wall clock by `seconds` (either way); monotonic time and timers are unaffected.
    public func stepWall(by seconds: TimeInterval) {
        lock.lock()
        defer { lock.unlock() }
        wallOffset += seconds
    }

    public func makeTimer(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> SchedulerTimer {
        let timer = ManualTimer(queue: queue, handler: handler)
        lock.lock()
        timers.append(timer)
        lock.unlock()
        return timer
    }

    /// The earliest armed timer's fire time.
    public var nextFire: Date? {
        lock.lock()
        defer { lock.unlock() }
        return timers.compactMap(\.fireAt).min()
    }

    /// Moves time forward by `seconds` without firing anything: a process frozen (SIGSTOP) in
    /// the middle of what it was doing; the timers due meanwhile fire at the next `advance`.
    public func jump(by seconds: TimeInterval) {
        lock.withLock { current += seconds }
    }

    /// Moves time forward by `seconds`, firing every timer that falls due on the way.
    public func advance(by seconds: TimeInterval) {
        let target = now() + seconds
        while true {
            lock.lock()
            let due = timers.filter { ($0.fireAt ?? .distantFuture) <= target }.min { $0.fireAt! < $1.fireAt! }
            if let due, let at = due.fireAt {
                current = max(current, at)
                due.fireAt = nil
                fired += 1
                lock.unlock()
                due.queue.sync { due.handler() }
            } else {
                current = target
                lock.unlock()
                return
            }
        }
    }
}
