import Foundation
import RebootCore

/// Scripted health gates for scheduler tests: each gate answers what `results` says now
/// (passed when unset), at once, and every check is recorded with the virtual time it was made.
public final class FakeGates: GateChecking, @unchecked Sendable {
    private let lock = NSLock()
    private let clock: ManualClock
    private var scripted: [String: GateResult] = [:]
    private var made: [(at: Date, gate: String, context: GateContext)] = []

    public init(clock: ManualClock) { self.clock = clock }

    /// Makes `gate` answer `result` from now on.
    public func set(_ gate: String, _ result: GateResult) { lock.withLock { scripted[gate] = result } }

    /// Every check so far, in order.
    public var checks: [(at: Date, gate: String, context: GateContext)] { lock.withLock { made } }

    public func check(_ gate: HealthGate, context: GateContext, completion: @escaping @Sendable (GateResult) -> Void) {
        let result = lock.withLock { () -> GateResult in
            made.append((clock.now(), gate.name, context))
            return scripted[gate.name] ?? .passed("ok")
        }
        completion(result)
    }
}
