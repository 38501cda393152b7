import Foundation

/// The narrow seam through which the scheduler checks health gates; tests substitute a fake.
public protocol GateChecking: Sendable {
    /// Checks `gate` once, for the batch `context` names, calling `completion` exactly once
    /// (from any thread), at the latest shortly after the gate's timeout.
    func check(_ gate: HealthGate, context: GateContext, completion: @escaping @Sendable (GateResult) -> Void)
}

/// What a check is for: passed to a command gate as environment variables.
public struct GateContext: Sendable, Equatable {
    public var planId: String
    public var planName: String
    /// 1-based.
    public var batch: Int
    public var batchCount: Int
    /// A dry run's check: the command may want to say so, or skip expensive work.
    public var dryRun = false

    public init(planId: String, planName: String, batch: Int, batchCount: Int) {
        self.planId = planId
        self.planName = planName
        self.batch = batch
        self.batchCount = batchCount
    }
}
