import Foundation

/// The decisions of a gate wait (SPEC §4.14), without I/O: what the wait needs now, which
/// answers count, and what a finished round means. The scheduler sends the checks, journals
/// them and performs the verdicts.
extension GateWait {
    /// What the wait needs at `now`.
    enum Step: Equatable {
        /// Every gate passed in the last round: the batch may start.
        case pass
        /// Nothing to do before this time.
        case waitUntil(Date)
        /// The round's deadline passed: these gates never answered (blocked).
        case roundTimedOut(missing: [String])
        /// Time for a round of checks.
        case startRound
    }

    /// A finished round's meaning.
    enum Verdict: Equatable {
        case passed
        /// A gate is blocked: wait, checked again at `nextCheckAt`; `firstNotice` on the
        /// wait's first blocked round (notify once).
        case blocked(reason: String, firstNotice: Bool)
        /// Blocked for `gateTimeout`: the plan halts.
        case timedOut(reason: String, blockedFor: TimeInterval)
    }

    func step(now: Date, names: [String]) -> Step {
        if passed { return .pass }
        if pending > 0 {
            guard now >= roundDeadline else { return .waitUntil(roundDeadline) }
            return .roundTimedOut(missing: names.filter { !answered.contains($0) })
        }
        if let next = nextCheckAt, next > now { return .waitUntil(next) }
        return .startRound
    }

    /// A round numbered `number` of `names` starts; its answers are due before the slowest
    /// gate's timeout plus 5 s.
    func startRound(number: Int, names: [String], now: Date, slowestTimeout: TimeInterval) {
        round = number
        pending = names.count
        answered = []
        results = [:]
        roundStartedAt = now
        roundDeadline = now + slowestTimeout + 5
    }

    /// The round's deadline passed: what never answered is blocked.
    func timedOut(_ missing: [String], why: String) {
        for name in missing { results[name] = .blocked(why) }
        pending = 0
    }

    /// An answer of gate `name` in round `round` for batch `batch`: taken only once, and only
    /// for this wait's current round. Returns whether it counted.
    func answer(_ name: String, _ result: GateResult, batch: Int, round: Int, names: [String]) -> Bool {
        guard self.batch == batch, self.round == round, pending > 0, names.contains(name), !answered.contains(name) else { return false }
        answered.insert(name)
        results[name] = result
        pending -= 1
        return true
    }

    /// Every gate of the round answered (or its deadline passed): pass, wait or halt. A
    /// blocked gate is checked again every `interval` from the round's start, and once more at
    /// `timeout`.
    func roundFinished(names: [String], now: Date, interval: TimeInterval, timeout: TimeInterval) -> Verdict {
        guard let (name, blocked) = firstBlocked(in: names) else {
            passed = true
            blockedSince = nil
            return .passed
        }
        let since = blockedSince ?? roundStartedAt
        blockedSince = since
        let reason = "gate \(name): \(blocked.detail)"
        if now.timeIntervalSince(since) >= timeout { return .timedOut(reason: reason, blockedFor: now.timeIntervalSince(since)) }
        nextCheckAt = max(now, min(roundStartedAt + interval, since + timeout))
        defer { notified = true }
        return .blocked(reason: reason, firstNotice: !notified)
    }

    /// A dry run's summary of its one round.
    func summary(of names: [String]) -> String {
        names.map { "\($0) \(results[$0]?.word ?? "unchecked")" }.joined(separator: ", ")
    }
}
