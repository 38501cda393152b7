import Dispatch
import Foundation

/// Where answers from the network (calls, gate checks) wait for the scheduler queue. Answers
/// that arrive while earlier ones still wait share one hop (issue 10: a group's answers wake
/// the queue once, not once each). A `holdable` answer (a reboot call's) can instead wait for
/// the pump the timer runs soon (`hold(until:)`): the queue's owner takes those with
/// `takeHeld()`. Every piece of work is counted until it has run, so a test can wait for all of
/// them (`isIdle`). Thread-safe.
final class AnswerMailbox: @unchecked Sendable {
    private let queue: DispatchQueue
    private let now: @Sendable () -> Date
    private let lock = NSLock()
    /// Work queued and not yet run, held answers included.
    private var pending = 0
    private var answers: [@Sendable () -> Void] = []
    private var held: [@Sendable () -> Void] = []
    private var holdUntil: Date?

    init(queue: DispatchQueue, now: @escaping @Sendable () -> Date) {
        self.queue = queue
        self.now = now
    }

    /// Runs `work` on the queue later, counted.
    func hop(_ work: @escaping @Sendable () -> Void) {
        lock.withLock { pending += 1 }
        queue.async { [self] in
            work()
            lock.withLock { pending -= 1 }
        }
    }

    /// Runs an answer's handling on the queue, sharing a hop with the answers already waiting,
    /// or, when `holdable` and a hold is set, holds it for `takeHeld()`.
    func deliver(holdable: Bool, _ work: @escaping @Sendable () -> Void) {
        lock.lock()
        pending += 1
        if holdable, let until = holdUntil, until > now() {
            held.append(work)
            lock.unlock()
            return
        }
        answers.append(work)
        let first = answers.count == 1
        lock.unlock()
        guard first else { return }
        queue.async { [self] in
            let batch = lock.withLock {
                let b = answers
                answers.removeAll()
                return b
            }
            for answer in batch { answer() }
            lock.withLock { pending -= batch.count }
        }
    }

    /// Until when holdable answers wait (nil: none does).
    func hold(until: Date?) { lock.withLock { holdUntil = until } }

    /// The held answers, for the caller to run on the queue; then `ran(_:)` with their count.
    func takeHeld() -> [@Sendable () -> Void] {
        lock.withLock {
            let out = held
            held.removeAll()
            return out
        }
    }

    /// `count` taken answers have run.
    func ran(_ count: Int) { lock.withLock { pending -= count } }

    /// Nothing is queued, waiting or held.
    var isIdle: Bool { lock.withLock { pending == 0 } }
}
