import Foundation

/// Decides, per request, which fault (if any) the simulator injects: throttling above a QPS,
/// random 500s, hangs. The QPS window counts requests admitted in the last second.
public final class FaultInjector: @unchecked Sendable {
    /// The fault chosen for one request.
    public enum Decision: Equatable, Sendable {
        case none
        case throttle
        case internalError
        case hang(TimeInterval)
    }

    private let lock = NSLock()
    private var admitted: [Date] = []
    private var head = 0
    private let configuration: SimulatorConfiguration
    private let fleet: SimulatedFleet

    public init(configuration: SimulatorConfiguration, fleet: SimulatedFleet) {
        self.configuration = configuration
        self.fleet = fleet
    }

    public func decide(at now: Date) -> Decision {
        if let limit = configuration.qpsLimit {
            lock.lock()
            while head < admitted.count, now.timeIntervalSince(admitted[head]) >= 1 { head += 1 }
            if head > 4096 { admitted.removeFirst(head); head = 0 }
            let inWindow = admitted.count - head
            if inWindow >= limit {
                lock.unlock()
                return .throttle
            }
            admitted.append(now)
            lock.unlock()
        }
        if configuration.errorRate > 0, fleet.draw() < configuration.errorRate { return .internalError }
        if configuration.hangRate > 0, fleet.draw() < configuration.hangRate { return .hang(configuration.hangSeconds) }
        return .none
    }
}
