import Foundation

/// When the daemon's periodic duties fall due: the watchdog ping, the `STATUS=` line and the
/// metrics file. Pure and driven by the caller's monotonic instants (seconds), so it is tested
/// in virtual time. The status line is looked at only after the scheduler did something, at
/// most once a second; the timer is armed only for the next duty (issue 10: the old 1-second
/// tick woke the daemon whether or not anything could have changed).
struct StatusSchedule {
    /// Seconds between watchdog pings (`WatchdogSec/2`, see `SystemdNotifier`); nil: no watchdog.
    let watchdog: TimeInterval?
    /// A `STATUS=` reader exists (`NOTIFY_SOCKET`); without one the line is never computed.
    let sendsStatus: Bool
    static let statusSpacing: TimeInterval = 1
    static let metricsSpacing: TimeInterval = 10

    private var lastPing = -TimeInterval.infinity
    private var pingRetryAt: TimeInterval?
    private var lastStatus = -TimeInterval.infinity
    /// The scheduler did something since the status line was last looked at (at start too,
    /// when there is a reader).
    private var statusPending: Bool
    private var lastMetrics = -TimeInterval.infinity

    init(watchdog: TimeInterval?, sendsStatus: Bool) {
        // Anything but a finite, positive interval is no watchdog: never a NaN deadline.
        self.watchdog = watchdog.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        self.sendsStatus = sendsStatus
        statusPending = sendsStatus
    }

    /// What to do at `now`.
    struct Duties: Equatable {
        var ping = false
        var status = false
        var metrics = false
    }

    /// The scheduler did something: the status line may have changed.
    mutating func schedulerActed() { if sendsStatus { statusPending = true } }

    func due(now: TimeInterval, writesMetrics: Bool) -> Duties {
        var duties = Duties()
        if let watchdog { duties.ping = now >= (pingRetryAt ?? lastPing + watchdog * 0.9) }
        duties.status = statusPending && now >= lastStatus + Self.statusSpacing
        duties.metrics = writesMetrics && now >= lastMetrics + Self.metricsSpacing
        return duties
    }

    /// The ping was sent.
    mutating func pinged(at now: TimeInterval) {
        lastPing = now
        pingRetryAt = nil
    }

    /// The ping was withheld (intake is stuck): look again within a second.
    mutating func pingWithheld(at now: TimeInterval) {
        pingRetryAt = now + min(1, watchdog ?? 1)
    }

    mutating func statusLookedAt(_ now: TimeInterval) {
        lastStatus = now
        statusPending = false
    }

    mutating func metricsWritten(at now: TimeInterval) { lastMetrics = now }

    /// When the next duty falls due; nil when none will without the scheduler acting.
    func next(writesMetrics: Bool) -> TimeInterval? {
        var at: TimeInterval?
        func consider(_ t: TimeInterval) { at = min(at ?? t, t) }
        if let watchdog { consider(pingRetryAt ?? lastPing + watchdog * 0.9) }
        if statusPending { consider(lastStatus + Self.statusSpacing) }
        if writesMetrics { consider(lastMetrics + Self.metricsSpacing) }
        return at
    }
}
