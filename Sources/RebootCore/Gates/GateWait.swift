import Foundation

/// A plan's wait for its health gates before one batch (SPEC §4.14): the round of checks in
/// flight, since when the gates have been blocked, and when to check again. Confined to the
/// scheduler queue; dropped when the batch starts, or when the plan stops being allowed to
/// check (paused, outside its window), so a later wait starts afresh.
final class GateWait {
    /// The batch (0-based) the checks are for.
    let batch: Int
    /// Numbers the rounds, so that an answer from an abandoned round is not taken for this one.
    var round = 0
    /// Checks of the current round not yet answered.
    var pending = 0
    /// This round's results, by gate name.
    var results: [String: GateResult] = [:]
    /// Every gate passed in the last round: the batch may start.
    var passed = false
    /// When the first blocked round of this wait began (monotonic): `gateTimeout` runs from here.
    var blockedSince: Date?
    var roundStartedAt = Date.distantPast
    /// When a blocked gate is checked again (monotonic).
    var nextCheckAt: Date?
    /// `gate-blocked` has been sent for this wait.
    var notified = false

    init(batch: Int) { self.batch = batch }

    /// The first blocked gate of the round, in the plan's order, and its result.
    func firstBlocked(in names: [String]) -> (name: String, result: GateResult)? {
        for name in names { if let r = results[name], !r.passed { return (name, r) } }
        return nil
    }
}
