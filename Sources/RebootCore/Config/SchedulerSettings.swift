import Foundation

/// The scheduler's tunables (from the config; some change live on reload).
public struct SchedulerSettings: Sendable, Equatable {
    public var requestsPerSecond: Double
    public var burst: Int
    public var maxConcurrentRequests: Int
    public var maxActivePlans: Int
    public var pollInterval: TimeInterval
    /// Rule 4.8: the longest gap allowed in the evidence that an in-doubt call never took effect.
    public var inDoubtMaxGap: TimeInterval
    /// Rule 4.8: the shortest time an accepted reboot keeps an instance out of Running.
    public var minRebootTime: TimeInterval
    /// A call's deadline; reboot calls are signed to expire `ceil(requestTimeout) + 5` s after
    /// their send (SPEC §1), which gives their effect deadline.
    public var requestTimeout: TimeInterval
    public var retry: RebootdConfig.Retry
    /// Reboot calls wait until this many seconds' worth of tokens is available and go out
    /// together (issue 10): one journal commit, one timer wake and one event-loop wake per group
    /// instead of per call. Never more than half the burst; 0 sends each call as its token
    /// arrives. Half a second: in the rated bench (20 rps) the seconds that send reboots took 2.2
    /// wakes a call with groups of 10, 2.6 with groups of 5 (a quarter second). It also bounds
    /// how long a reboot answer may wait for the timer's pump (`Scheduler.refreshAnswerHold`);
    /// 0 holds none.
    public var callGrouping: TimeInterval
    /// Health gates by name (SPEC §4.14); a reload applies to the checks made after it.
    public var gates: [String: HealthGate]
    public var gateInterval: TimeInterval
    public var gateTimeout: TimeInterval

    public init(
        requestsPerSecond: Double = 10, burst: Int = 10, maxConcurrentRequests: Int = 8, maxActivePlans: Int = 4,
        pollInterval: TimeInterval = 5, inDoubtMaxGap: TimeInterval = 20, minRebootTime: TimeInterval = 10,
        requestTimeout: TimeInterval = 10, retry: RebootdConfig.Retry = .init(), callGrouping: TimeInterval = 0.5,
        gates: [String: HealthGate] = [:], gateInterval: TimeInterval = 30, gateTimeout: TimeInterval = 1800
    ) {
        self.gates = gates
        self.gateInterval = gateInterval
        self.gateTimeout = gateTimeout
        self.callGrouping = callGrouping
        self.inDoubtMaxGap = inDoubtMaxGap
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxActivePlans = maxActivePlans
        self.pollInterval = pollInterval
        self.minRebootTime = minRebootTime
        self.requestTimeout = requestTimeout
        self.retry = retry
    }
}
