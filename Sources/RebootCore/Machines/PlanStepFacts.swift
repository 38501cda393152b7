import Foundation

/// What a plan step needs to know that the plan machine does not hold: times (monotonic, with
/// the wall-clock ones already mapped), and whether the current batch is still open.
struct PlanStepFacts {
    var now: Date
    /// The current batch has instances not ended, or calls not answered.
    var batchOpen: Bool
    var batchCount: Int
    /// The pause before the next batch (`pauseBetweenZones` when it starts another zone).
    var pauseBetweenBatches: TimeInterval
    /// Whether the plan pauses for an approval after batch `b` (0-based), SPEC §2 `checkpoints`.
    var checkpointAfter: (Int) -> Bool = { _ in false }
    /// Why batch `b` (0-based) may not start: it begins a new zone while the zone before still
    /// has instances that did not come back Running (`zones: one-at-a-time`).
    var zoneHold: (Int) -> String? = { _ in nil }
    /// `startAfter` (monotonic) while it is still ahead on the wall clock; nil once passed.
    var startAfter: Date?
    /// The maintenance window, when the plan has one: open now, or when it next opens
    /// (monotonic, and as the wall time `status` shows).
    var window: (open: Bool, nextOpening: Date?, openingText: String?, summary: String)?
    /// The rebooted and skipped instances, asked only when every batch ran (it counts every
    /// instance): a succeeded plan says what it did.
    var endCounts: () -> (rebooted: Int, skipped: Int)
}
