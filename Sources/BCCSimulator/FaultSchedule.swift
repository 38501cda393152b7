import Foundation

/// The faults switched on at run time, behind one lock. Several may be active at once; a request
/// is hit by the first active fault (in the order they were added) that matches its kind of call
/// and wins its `rate` draw. Faults past their `until` or used up (`count`) are dropped lazily.
public final class FaultSchedule: @unchecked Sendable {
    private let lock = NSLock()
    private var faults: [ScheduledFault] = []
    private var nextId = 1

    public init() {}

    /// Adds a fault and returns it with its id.
    @discardableResult
    public func add(_ fault: ScheduledFault) -> ScheduledFault {
        lock.lock()
        defer { lock.unlock() }
        var fault = fault
        fault.id = nextId
        nextId += 1
        faults.append(fault)
        return fault
    }

    /// Removes every fault; returns how many were active.
    @discardableResult
    public func clear(at now: Date) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let active = faults.filter { $0.isActive(at: now) }.count
        faults.removeAll()
        return active
    }

    /// The faults still active at `now`.
    public func active(at now: Date) -> [ScheduledFault] {
        lock.lock()
        defer { lock.unlock() }
        prune(at: now)
        return faults
    }

    /// The fault that hits a request of `call` at `now`, if any, counted as applied.
    /// `draw` gives a uniform number in [0, 1); it is called only for faults with a rate below 1.
    public func hit(_ call: SimulatedCall, at now: Date, draw: () -> Double) -> ScheduledFault.Kind? {
        lock.lock()
        defer { lock.unlock() }
        prune(at: now)
        for index in faults.indices where faults[index].call.matches(call) {
            let rate = faults[index].rate
            if rate < 1, !(draw() < rate) { continue }
            faults[index].applied += 1
            if let remaining = faults[index].remaining { faults[index].remaining = remaining - 1 }
            return faults[index].kind
        }
        return nil
    }

    /// Drops expired and used-up faults; must hold the lock.
    private func prune(at now: Date) {
        faults.removeAll { !$0.isActive(at: now) }
    }
}
