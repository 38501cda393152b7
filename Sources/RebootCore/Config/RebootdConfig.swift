import Foundation

/// The daemon's configuration (SPEC §6), with the documented defaults.
public struct RebootdConfig: Sendable, Equatable {
    /// The global token bucket.
    public struct RateLimit: Sendable, Equatable {
        public var requestsPerSecond: Double = 10
        public var burst: Int = 10
        public init(requestsPerSecond: Double = 10, burst: Int = 10) {
            self.requestsPerSecond = requestsPerSecond
            self.burst = burst
        }
    }

    /// Backoff for throttled and transient errors.
    public struct Retry: Sendable, Equatable {
        public var maxAttempts: Int = 6
        public var baseDelay: TimeInterval = 0.3
        public var maxDelay: TimeInterval = 20
        public init(maxAttempts: Int = 6, baseDelay: TimeInterval = 0.3, maxDelay: TimeInterval = 20) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }
    }

    public static let defaultPath = "/etc/rebootd/rebootd.yaml"

    public var endpoint = "https://bcc.bj.baidubce.com"
    public var regions: [String: String] = [:]
    public var credentialsFile = "/etc/rebootd/credentials.yaml"
    public var spoolDir = "/var/spool/rebootd"
    /// The journal as the config wrote it: a SQLite file's absolute path, or a PostgreSQL URL
    /// (which never holds a password, so it may be logged).
    public var journal = "/var/lib/rebootd/journal.sqlite"
    /// The shared PostgreSQL journal `journal` names (SPEC §4.16); nil: SQLite at `journal`.
    public var journalLocation: PostgresJournalLocation?
    /// The leader's lease on a PostgreSQL journal (`lease`; unused with SQLite).
    public var lease = LeaseSettings()
    public var rateLimit = RateLimit()
    public var maxConcurrentRequests = 8
    public var maxActivePlans = 4
    public var pollInterval: TimeInterval = 5
    /// Rule 4.8; `requestTimeout + pollInterval` must be shorter.
    public var inDoubtMaxGap: TimeInterval = 20
    /// Rule 4.8: the shortest time an accepted reboot keeps an instance out of Running.
    public var minRebootTime: TimeInterval = 10
    /// What the config says that still works but will not for long (a retired key): logged at
    /// start and reload, printed by `--check`.
    public var warnings: [String] = []
    public var requestTimeout: TimeInterval = 10
    public var retry = Retry()
    public var shutdownGrace: TimeInterval = 10
    public var metricsFile: String?
    public var logLevel = "info"
    /// Extra trusted CAs (PEM) for the API, besides the system roots (SPEC §6).
    public var caFile: String?
    /// `http://HOST:PORT` of the proxy to the API; nil: `https_proxy`/`no_proxy` from the environment.
    public var proxy: String?
    /// The HTTP transport for the API (SPEC §6).
    public var httpClient = HTTPClient.nio

    /// `httpClient`: both transports are real and tested end to end.
    public enum HTTPClient: String, Sendable, Equatable {
        /// AsyncHTTPClient on SwiftNIO: the default, 2–4× cheaper per call on Linux.
        case nio
        /// Foundation's URLSession on libcurl.
        case curl
    }

    /// Health gates plans may name (SPEC §4.14), by name.
    public var gates: [String: HealthGate] = [:]
    /// How often a blocked gate is checked again.
    public var gateInterval: TimeInterval = 30
    /// How long a gate may stay blocked before the plan halts.
    public var gateTimeout: TimeInterval = 1800
    /// Where plan events are POSTed (SPEC §4.15).
    public var notify: [NotifyTarget] = []

    public init() {}

    /// The scheduler's tunables, taken from this config.
    public var schedulerSettings: SchedulerSettings {
        SchedulerSettings(
            requestsPerSecond: rateLimit.requestsPerSecond, burst: rateLimit.burst,
            maxConcurrentRequests: maxConcurrentRequests, maxActivePlans: maxActivePlans,
            pollInterval: pollInterval, inDoubtMaxGap: inDoubtMaxGap, minRebootTime: minRebootTime,
            requestTimeout: requestTimeout, retry: retry,
            gates: gates, gateInterval: gateInterval, gateTimeout: gateTimeout)
    }
}
