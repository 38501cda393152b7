import Foundation

/// Whether a worker queue is still making progress, for the watchdog (issue 8, SPEC §9): the
/// worker marks each item it starts and finishes; it is *live* when idle, or when the item at
/// hand started no longer ago than the bound. A parse stuck for good makes it not live, the
/// watchdog pings stop, and systemd restarts the daemon instead of letting intake wedge.
///
/// The watchdog flags a stalled item once (`flagStall`), and the worker hears of it if the item
/// finishes after all (`onRecovered`); both run under one lock, so what they record is never
/// overtaken by the other. Thread-safe: the worker writes from its queue, the watchdog reads
/// from the scheduler's. Time is an injected monotonic `now` (seconds), so tests run in
/// virtual time.
public final class WorkerHeartbeat<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (item: Item, since: TimeInterval, flagged: Bool)?
    private let now: @Sendable () -> TimeInterval
    /// Called, under the lock, when an item flagged as stalled finishes after all.
    public var onRecovered: (@Sendable (Item) -> Void)?

    public init(now: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.now = now
    }

    /// Runs `body` as the work on `item`, marked as in progress while it runs.
    public func working<T>(on item: Item, _ body: () throws -> T) rethrows -> T {
        lock.withLock { current = (item, now(), false) }
        defer {
            lock.withLock {
                if let done = current, done.flagged { onRecovered?(done.item) }
                current = nil
            }
        }
        return try body()
    }

    /// The item at hand and how long it has been running; nil when idle.
    public var busy: (item: Item, seconds: TimeInterval)? {
        lock.withLock { current.map { ($0.item, now() - $0.since) } }
    }

    /// True when idle or busy for at most `maxStall`. Otherwise false; the first time an item
    /// is found stalled, `record` runs with it, under the lock.
    public func isLive(maxStall: TimeInterval, record: (Item, TimeInterval) -> Void) -> Bool {
        lock.withLock {
            guard let c = current, now() - c.since > maxStall else { return true }
            if !c.flagged {
                current?.flagged = true
                record(c.item, now() - c.since)
            }
            return false
        }
    }
}
