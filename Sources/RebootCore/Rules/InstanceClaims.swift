/// Rule 4.7: an instance in two active plans is rebooted by one at a time. The plan that calls
/// it (or, after a restart, that was calling or following it) holds it until it ends there;
/// the other plan's instance waits, and is read again before its own call (SPEC §4.1), since
/// the holder may just have rebooted it.
struct InstanceClaims: Sendable {
    /// Instance id → the plan that holds it.
    private var holders: [String: String] = [:]

    /// Whether a plan other than `planId` holds `instanceId`.
    func isHeld(_ instanceId: String, byOtherThan planId: String) -> Bool {
        holders[instanceId].map { $0 != planId } ?? false
    }

    /// `planId` takes `instanceId` for a call; false when another plan holds it.
    mutating func claim(_ instanceId: String, for planId: String) -> Bool {
        if isHeld(instanceId, byOtherThan: planId) { return false }
        holders[instanceId] = planId
        return true
    }

    /// After a restart: `planId` was calling or following `instanceId`; the first plan restored
    /// with it keeps it.
    mutating func restore(_ instanceId: String, for planId: String) {
        if holders[instanceId] == nil { holders[instanceId] = planId }
    }

    /// The instance ended in `planId`: true when that plan held it (the others waiting for it
    /// may go on).
    mutating func release(_ instanceId: String, from planId: String) -> Bool {
        guard holders[instanceId] == planId else { return false }
        holders[instanceId] = nil
        return true
    }
}
