import Foundation
import Prometheus

/// The daemon's Prometheus metrics (SPEC §7), every series present from the start, written
/// atomically to a file for node_exporter's textfile collector.
public final class RebootMetrics: SchedulerObserver, @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let calls = ["reboot", "describeMany"]
    static let outcomes = ["ok"] + BCCErrorKinds.all
    private var callCounters: [String: Counter] = [:]
    private var rebootCounters: [String: Counter] = [:]
    private let duration: DurationHistogram
    private let conflicts: Counter
    private let throttles: Counter
    private var instanceGauges: [String: Gauge] = [:]
    private var planGauges: [String: Gauge] = [:]
    private let tokens: Gauge
    private let currentRPS: Gauge
    private let lastSuccess: Gauge
    private let gatesBlocked: Gauge
    /// Gate and notify counters, made as gates and targets appear (config and reloads).
    private let lock = NSLock()
    private var gateCounters: [String: Counter] = [:]
    private var notifyCounters: [String: Counter] = [:]
    private var leaderGauge: Gauge?
    static let notifyOutcomes = ["delivered", "failed", "dropped"]

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rebootd", metricName: metric, unitName: unit, helpText: help)
    }

    public init() {
        for call in Self.calls {
            for outcome in Self.outcomes {
                callCounters["\(call)/\(outcome)"] = registry.makeCounter(
                    descriptor: Self.name("api_calls", "total", "BCC API calls by call and outcome"), labels: [("call", call), ("outcome", outcome)])
            }
        }
        duration = registry.makeDurationHistogram(
            descriptor: Self.name("api_call_duration", "seconds", "BCC API call latency"),
            buckets: [
                .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
            ])
        for outcome in ["rebooted", "failed", "skipped", "cancelled"] {
            rebootCounters[outcome] = registry.makeCounter(
                descriptor: Self.name("reboots", "total", "Instances that reached a terminal state"), labels: [("outcome", outcome)])
        }
        conflicts = registry.makeCounter(descriptor: Self.name("conflicts", "total", "Reboot calls refused with 409"))
        throttles = registry.makeCounter(descriptor: Self.name("throttled", "total", "Calls throttled by the API"))
        for state in InstanceState.allCases {
            instanceGauges[state.rawValue] = registry.makeGauge(
                descriptor: Self.name("instances", "", "Instances of active plans by state"), labels: [("state", state.rawValue)])
        }
        for state in PlanState.allCases {
            planGauges[state.rawValue] = registry.makeGauge(descriptor: Self.name("plans", "", "Plans by state"), labels: [("state", state.rawValue)])
        }
        tokens = registry.makeGauge(descriptor: Self.name("rate_limit_tokens", "", "Tokens in the global bucket"))
        currentRPS = registry.makeGauge(descriptor: Self.name("rate_limit_current_rps", "", "Current refill rate (lower while throttled)"))
        lastSuccess = registry.makeGauge(descriptor: Self.name("last_success_timestamp", "seconds", "Unix time of the last accepted reboot"))
        gatesBlocked = registry.makeGauge(descriptor: Self.name("gates_blocked", "", "Plans waiting for a blocked health gate"))
    }

    /// Makes the gate and notify series present at zero (SPEC §7: present from the start).
    public func prepare(gates: [String], targets: [String]) {
        lock.withLock {
            for gate in gates { for result in ["passed", "blocked"] { _ = gateCounter(gate, result) } }
            for target in targets { for outcome in Self.notifyOutcomes { _ = notifyCounter(target, outcome) } }
        }
    }

    private func gateCounter(_ gate: String, _ result: String) -> Counter {
        if let c = gateCounters["\(gate)/\(result)"] { return c }
        let c = registry.makeCounter(
            descriptor: Self.name("gate_checks", "total", "Health gate checks by gate and result"), labels: [("gate", gate), ("result", result)])
        gateCounters["\(gate)/\(result)"] = c
        return c
    }

    private func notifyCounter(_ target: String, _ outcome: String) -> Counter {
        if let c = notifyCounters["\(target)/\(outcome)"] { return c }
        let c = registry.makeCounter(
            descriptor: Self.name("notifications", "total", "Notification deliveries by target (name or index) and outcome"),
            labels: [("target", target), ("outcome", outcome)])
        notifyCounters["\(target)/\(outcome)"] = c
        return c
    }

    /// `rebootd_leader{host}` (SPEC §4.16), present from the start on a shared journal: 1 while
    /// this host leads.
    public func setLeader(host: String, _ leading: Bool) {
        lock.withLock {
            if leaderGauge == nil {
                leaderGauge = registry.makeGauge(
                    descriptor: Self.name("leader", "", "1 while this host leads the shared journal's plans"), labels: [("host", host)])
            }
            return leaderGauge
        }?.set(leading ? 1 : 0)
    }

    public func gateChecked(_ gate: String, passed: Bool) {
        lock.withLock { gateCounter(gate, passed ? "passed" : "blocked") }.increment()
    }

    public func notification(target: String, outcome: String) {
        lock.withLock { notifyCounter(target, outcome) }.increment()
    }

    public func apiCall(_ call: String, outcome: String, duration seconds: TimeInterval) {
        callCounters["\(call)/\(outcome)"]?.increment()
        duration.record(.nanoseconds(Int64(seconds * 1e9)))
    }

    public func rebootFinished(outcome: InstanceState) { rebootCounters[outcome.rawValue]?.increment() }
    public func conflict() { conflicts.increment() }
    public func throttled() { throttles.increment() }
    public func rebootAccepted(at date: Date) { lastSuccess.set(date.timeIntervalSince1970) }

    /// Updates the gauges from a snapshot (and terminal plan counts) and renders the text format.
    public func render(snapshot: SchedulerSnapshot, planCounts: [String: Int] = [:]) -> String {
        var instances: [String: Int] = [:]
        var plans = planCounts
        for plan in snapshot.plans {
            plans[plan.state.rawValue, default: 0] += 1
            for (state, n) in plan.counts { instances[state.rawValue, default: 0] += n }
        }
        for (state, gauge) in instanceGauges { gauge.set(Double(instances[state] ?? 0)) }
        for (state, gauge) in planGauges { gauge.set(Double(plans[state] ?? 0)) }
        gatesBlocked.set(Double(snapshot.plans.filter { $0.state == .waitingGate }.count))
        tokens.set(snapshot.rateLimitTokens)
        currentRPS.set(snapshot.currentRate)
        return registry.emitToString()
    }

    /// Writes the metrics atomically (temporary file, then rename), mode 0644 whatever the
    /// umask (the unit's is 0027), so that node-exporter's textfile collector can read it.
    @discardableResult
    public func write(to path: String, snapshot: SchedulerSnapshot, planCounts: [String: Int] = [:]) -> Bool {
        let text = render(snapshot: snapshot, planCounts: planCounts)
        let tmp = (path as NSString).deletingLastPathComponent + "/.rebootd.prom.\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)), chmod(tmp, 0o644) == 0 else {
            unlink(tmp)
            return false
        }
        return rename(tmp, path) == 0
    }
}

/// The error kinds as metric outcome labels.
enum BCCErrorKinds {
    static let all = ["conflict", "throttled", "transient", "instanceFatal", "accountFatal"]
}
