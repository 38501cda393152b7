import Dispatch
import Foundation

/// Expires call deadlines with one repeating timer: each entry's `expire` runs once its
/// deadline has passed, unless `isDone` says the call already finished (then it is dropped).
final class DeadlineSweeper: @unchecked Sendable {
    private struct Entry {
        let deadline: Date
        let expire: @Sendable () -> Void
        let isDone: @Sendable () -> Bool
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    private let queue = DispatchQueue(label: "rebootd.http.deadlines")
    private var timer: DispatchSourceTimer?
    private let interval: TimeInterval

    init(interval: TimeInterval) { self.interval = interval }

    deinit { timer?.cancel() }

    func add(deadline: Date, expire: @escaping @Sendable () -> Void, isDone: @escaping @Sendable () -> Bool) {
        lock.lock()
        entries.append(Entry(deadline: deadline, expire: expire, isDone: isDone))
        if timer == nil {
            let t = DispatchSource.makeTimerSource(queue: queue)
            t.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
            t.setEventHandler { [weak self] in self?.sweep() }
            t.resume()
            timer = t
        }
        lock.unlock()
    }

    /// Deadlines are monotonic instants (SPEC §4.13): `DeadlineSweeper.now()`.
    static func now() -> Date { Date(timeIntervalSinceReferenceDate: ProcessInfo.processInfo.systemUptime) }

    private func sweep() {
        let now = Self.now()
        lock.lock()
        var due: [Entry] = []
        entries.removeAll { entry in
            if entry.isDone() { return true }
            if entry.deadline <= now {
                due.append(entry)
                return true
            }
            return false
        }
        lock.unlock()
        for entry in due { entry.expire() }
    }
}
