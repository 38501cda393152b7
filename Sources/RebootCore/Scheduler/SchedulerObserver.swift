import Foundation

/// What the scheduler reports as it works, for metrics. Called on the scheduler queue.
public protocol SchedulerObserver: AnyObject, Sendable {
    func apiCall(_ call: String, outcome: String, duration: TimeInterval)
    func rebootFinished(outcome: InstanceState)
    func conflict()
    func throttled()
    func rebootAccepted(at: Date)
    /// One health gate check (SPEC §4.14).
    func gateChecked(_ gate: String, passed: Bool)
}

extension SchedulerObserver {
    public func gateChecked(_ gate: String, passed: Bool) {}
}
