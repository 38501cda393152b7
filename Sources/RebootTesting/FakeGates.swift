import Foundation
import RebootCore

/// Scripted health gates for scheduler tests: each gate answers what `results` says now
/// (passed when unset), at once, and every check is recorded with the virtual time it was made.
public final class FakeGates: GateChecking, @unchecked Sendable {
    private let lock = NSLock()
    private let clock: ManualClock
    private var scripted: [String: GateResult] = [:]
    private var made: [(at: Date, gate: String, context: GateContext)] = []
    private var held: [(gate: String, answer: @Sendable () -> Void)] = []
    /// While true, answers are held back until `release` (a slow gate).
    public var holding = false

    public init(clock: ManualClock) { self.clock = clock }

    /// Makes `gate` answer `result` from now on.
    public func set(_ gate: String, _ result: GateResult) { lock.withLock { scripted[gate] = result } }

    /// Every check so far, in order.
    public var checks: [(at: Date, gate: String, context: GateContext)] { lock.withLock { made } }

    public func check(_ gate: HealthGate, context: GateContext, completion: @escaping @Sendable (GateResult) -> Void) {
        let (result, hold) = lock.withLock { () -> (GateResult, Bool) in
            made.append((clock.now(), gate.name, context))
            return (scripted[gate.name] ?? .passed("ok"), holding)
        }
        if hold { lock.withLock { held.append((gate.name, { completion(result) })) } } else { completion(result) }
    }

    /// Answers the held checks of `gate` (all gates when nil), oldest first, with what each
    /// would have answered when it was asked.
    public func release(_ gate: String? = nil) {
        let due = lock.withLock { () -> [@Sendable () -> Void] in
            let picked = held.filter { gate == nil || $0.gate == gate }
            held.removeAll { gate == nil || $0.gate == gate }
            return picked.map(\.answer)
        }
        for answer in due { answer() }
    }
}
