import Foundation

/// A plan's wait for its health gates before one batch (SPEC §4.14): the round of checks in
/// flight, since when the gates have been blocked, and when to check again. Confined to the
/// scheduler queue; dropped when the batch starts, or when the plan stops being allowed to
/// check (paused, outside its window), so a later wait starts afresh.
final class GateWait {
    /// The batch (0-based) the checks are for.
    let batch: Int
    /// The current round's number, unique across the scheduler (`Scheduler.gateRounds`): an
    /// answer from an abandoned round, of this wait or of an earlier one, is never taken for it.
    var round = 0
    /// Checks of the current round not yet answered.
    var pending = 0
    /// Gates that answered in the current round: a second answer of one gate counts once.
    var answered: Set<String> = []
    /// Past this (monotonic), the round's missing answers count as blocked.
    var roundDeadline = Date.distantFuture
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

    /// The first blocked gate of the round, in the plan's order, and its result. A gate
    /// without a result is blocked: only a pass lets a batch start.
    func firstBlocked(in names: [String]) -> (name: String, result: GateResult)? {
        for name in names {
            let r = results[name] ?? .blocked("no answer")
            if !r.passed { return (name, r) }
        }
        return nil
    }
}
