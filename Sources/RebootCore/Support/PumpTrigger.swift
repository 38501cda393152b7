import Dispatch
import Foundation

/// When the scheduler's pump runs. Every wake costs (issue 10), so: a hop to the queue for
/// what cannot wait, one timer for what is due later, answers arriving within `coalescing` of
/// the last pump share the next one, and a reboot call's answer may wait for the pump the timer
/// runs soon (`AnswerMailbox.hold`). It decides when, never what: the pump does that. Used on
/// the scheduler queue only (but `deliver`, which any thread calls).
final class PumpTrigger: @unchecked Sendable {
    /// Answers arriving within this interval of the last pump share the next one (fewer
    /// journal transactions at high rates).
    static let coalescing: TimeInterval = 0.002

    /// Where answers wait for the queue.
    let mailbox: AnswerMailbox
    private let queue: DispatchQueue
    private let now: @Sendable () -> Date
    private var timer: SchedulerTimer?
    /// When the timer is armed for; re-arming a dispatch timer is costly, so it is only moved
    /// earlier while that time is still ahead (see `arm`).
    private(set) var armedAt: Date? { didSet { refreshHold() } }
    /// A hop to the pump is queued (or a pump is running): another request adds nothing.
    var scheduled = false
    private var lastPump = Date.distantPast
    /// Until when, given the time the timer is armed for, answers may be held (nil: not at all).
    /// Set by the owner: it knows the rate, the slots and whether it is stopping.
    var holdPolicy: (_ armedAt: Date, _ now: Date) -> Date? = { _, _ in nil }

    init(queue: DispatchQueue, now: @escaping @Sendable () -> Date) {
        self.queue = queue
        self.now = now
        mailbox = AnswerMailbox(queue: queue, now: now)
    }

    /// Makes the timer, which runs `pump` when it fires.
    func start(clock: SchedulerClock, pump: @escaping @Sendable () -> Void) {
        timer = clock.makeTimer(queue: queue) { [weak self] in
            self?.armedAt = nil
            pump()
        }
    }

    /// The timer will not fire again (shutdown).
    func stopTimer() {
        timer?.cancel()
        armedAt = nil
    }

    /// A pump begins at `now`.
    func pumpBegins(at now: Date) {
        scheduled = false
        lastPump = now
    }

    /// Asks for a pump soon. `rate`: the calls a second the limiter allows now.
    func request(rate: Double, pump: @escaping @Sendable () -> Void) {
        guard !scheduled else { return }
        let now = now()
        if now.timeIntervalSince(lastPump) < Self.coalescing {
            let shared = lastPump + Self.coalescing
            // The timer already fires within the window: that pump serves this answer too.
            if let armed = armedAt, armed > now, armed <= shared { return }
            // Moving the timer costs a wake of libdispatch's timer thread, and its firing
            // another: worth it only when more answers are due within the window (issue 10).
            if rate * Self.coalescing >= 1 {
                arm(shared, now: now)
                return
            }
        }
        scheduled = true
        mailbox.hop(pump)
    }

    /// Arms the timer for `date` unless it is already armed for an earlier, still future, time.
    /// A time already past is armed a millisecond ahead: the pump that arms it has just run,
    /// so firing again at once could only spin.
    func arm(_ date: Date, now: Date) {
        let at = max(date, now + 0.001)
        if let armed = armedAt, armed <= at, armed > now { return }
        armedAt = at
        timer?.schedule(at: at)
    }

    /// Applies `holdPolicy` to the time the timer is armed for.
    func refreshHold() {
        let now = now()
        mailbox.hold(until: armedAt.flatMap { holdPolicy($0, now) })
    }

    /// Handles the answers `deliver` held, without a pump each: the caller runs or requests
    /// the one they share. Returns whether there were any.
    @discardableResult
    func runHeld() -> Bool {
        let held = mailbox.takeHeld()
        guard !held.isEmpty else { return false }
        let wasScheduled = scheduled
        scheduled = true
        for answer in held { answer() }
        scheduled = wasScheduled
        mailbox.ran(held.count)
        return true
    }
}
