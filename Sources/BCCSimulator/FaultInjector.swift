import Foundation

/// Decides, per request, which fault (if any) the simulator injects: throttling above a QPS,
/// the faults switched on at run time for that kind of call (`schedule`), then random 500s and
/// hangs. The QPS window counts requests admitted in the last second.
public final class FaultInjector: @unchecked Sendable {
    /// The fault chosen for one request.
    public enum Decision: Equatable, Sendable {
        case none
        /// 429 `RequestLimitExceeded` with this `Retry-After`; the call is not applied.
        case throttle(retryAfter: Int)
        case internalError
        /// An error answer with this status and code; the call is not applied.
        case error(status: Int, code: String)
        /// The call is applied, then answered this many seconds late.
        case hang(TimeInterval)
        /// The instance turns busy (`Starting`) for this many seconds before the call is applied.
        case busy(TimeInterval)
        /// The listing's pages never end.
        case endless
    }

    private let lock = NSLock()
    private var admitted: [Date] = []
    private var head = 0
    private let configuration: SimulatorConfiguration
    private let fleet: SimulatedFleet
    /// Faults switched on at run time through the admin API.
    public let schedule = FaultSchedule()

    public init(configuration: SimulatorConfiguration, fleet: SimulatedFleet) {
        self.configuration = configuration
        self.fleet = fleet
    }

    public func decide(_ call: SimulatedCall = .unsupported, at now: Date) -> Decision {
        if let limit = configuration.qpsLimit {
            lock.lock()
            while head < admitted.count, now.timeIntervalSince(admitted[head]) >= 1 { head += 1 }
            if head > 4096 {
                admitted.removeFirst(head)
                head = 0
            }
            let inWindow = admitted.count - head
            if inWindow >= limit {
                lock.unlock()
                return .throttle(retryAfter: 1)
            }
            admitted.append(now)
            lock.unlock()
        }
        switch schedule.hit(call, at: now, draw: fleet.draw) {
        case .error(let status, let code): return .error(status: status, code: code)
        case .hang(let seconds): return .hang(seconds)
        case .throttle(let retryAfter): return .throttle(retryAfter: retryAfter)
        case .busy(let seconds): return .busy(seconds)
        case .endless: return .endless
        case nil: break
        }
        if configuration.errorRate > 0, fleet.draw() < configuration.errorRate { return .internalError }
        if configuration.hangRate > 0, fleet.draw() < configuration.hangRate { return .hang(configuration.hangSeconds) }
        return .none
    }
}
