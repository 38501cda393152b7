import BCC
import Foundation

/// The plan's status polls (SPEC §4.2, §4.3, §4.8): rounds of describe-many calls of up to 100
/// ids over the instances it follows, the readings of unanswered reboot calls, and when the
/// next round is due. The scheduler sends the calls and hands back their answers.
extension PlanRun {
    /// The plan's next poll call, when one is due: readings of unanswered reboot calls, the
    /// batch-start read, the rest of a round, or a new round (urgent instances first; a full
    /// round when due; every call filled up to 100 ids).
    func nextPollCall(now: Date, timing: PollTiming) -> [(Int, Int)]? {
        // Unanswered reboot calls are read from the send on (SPEC §4.8), in a call of their own.
        if !inFlightReboots.isEmpty {
            let due = inFlightReboots.sorted().filter { i in flightReadingDue(instances[i], timing: timing).map { $0 <= now } ?? false }
                .prefix(BCCClient.maxIdsPerCall)
            if !due.isEmpty {
                for i in due { instances[i].flightReadSent(at: now) }
                return due.map { ($0, instances[$0].epoch) }
            }
        }
        if let reads = nextStartRead(now: now) { return reads }
        if !pollChunks.isEmpty { return pollChunks.removeFirst() }
        guard pollsInFlight == 0, !watched.isEmpty else { return nil }
        // A rebooting instance is not polled before the plan's shortest confirmed reboot has
        // passed since its answer (`PollHoldoff`): such a poll could not confirm it.
        let holdoff = pollHoldoff.delay(rebootTimeout: plan.rebootTimeout)
        var due = nextPollAt.map { $0 <= now } ?? false
        if due, urgent.isEmpty, let at = roundWorthSending(holdoff: holdoff, now: now), at > now {
            nextPollAt = at
            due = false
        }
        guard due || !urgent.isEmpty else { return nil }
        // Urgent instances first; a full round when due; fill every call up to 100 ids.
        var order: [Int] = urgent.sorted()
        let rest = watched.subtracting(urgent).sorted().filter { Self.pollable(instances[$0], holdoff: holdoff, now: now) }
        if due {
            order += rest
        } else {
            let room = (BCCClient.maxIdsPerCall - order.count % BCCClient.maxIdsPerCall) % BCCClient.maxIdsPerCall
            order += rest.prefix(room)
        }
        var members = order.filter { !instances[$0].inFlight }.map { ($0, instances[$0].epoch) }
        if due { members = withNextBatch(members) }
        urgent.removeAll()
        if due { nextPollAt = nil }
        guard !members.isEmpty else { return nil }
        pollChunks = stride(from: 0, to: members.count, by: BCCClient.maxIdsPerCall).map {
            Array(members[$0..<min($0 + BCCClient.maxIdsPerCall, members.count)])
        }
        return pollChunks.removeFirst()
    }

    /// Whether a poll of `inst` now could tell anything (see `PollHoldoff`).
    static func pollable(_ inst: InstanceRun, holdoff: TimeInterval, now: Date) -> Bool {
        guard holdoff > 0, inst.state == .rebooting, !inst.isInDoubt, let accepted = inst.acceptedAt else { return true }
        return accepted + holdoff <= now
    }

    /// When a round of this plan is worth its call (issue 10: poll a batch's instances together).
    /// The batch ends only when its last instance is seen Running, so while every watched
    /// instance is merely rebooting, the round waits until the last of them has passed the
    /// hold-off; never, though, past the first one's `acceptedAt + rebootTimeout/2`, so that no
    /// instance nears its timeout unpolled. A waiting or in-doubt instance needs its readings
    /// at the poll interval (rules 4.4, 4.8): then now. Nil when every one is in flight.
    func roundWorthSending(holdoff: TimeInterval, now: Date) -> Date? {
        guard holdoff > 0 else { return now }
        var last: Date?
        var firstDeadline: Date?
        for i in watched where !instances[i].inFlight {
            let inst = instances[i]
            guard inst.state == .rebooting, !inst.isInDoubt, let accepted = inst.acceptedAt else { return now }
            last = max(last ?? accepted, accepted + holdoff)
            firstDeadline = min(firstDeadline ?? .distantFuture, accepted + plan.rebootTimeout / 2)
        }
        guard let last, let firstDeadline else { return nil }
        return max(now, min(last, firstDeadline))
    }

    /// When the unanswered reboot call of `inst` should next be read (SPEC §4.8): `pollInterval`
    /// after the send, then at most `min(pollInterval, minRebootTime / 2)` apart; nil while a
    /// reading is out.
    func flightReadingDue(_ inst: InstanceRun, timing: PollTiming) -> Date? {
        guard inst.inFlight, !inst.flightReadOut, let sent = inst.sentAt else { return nil }
        let first = sent + timing.pollInterval
        guard let last = inst.flightReadSentAt else { return first }
        return max(first, last + timing.inDoubtSpacing)
    }

    /// A poll call failed: the instances of the failed call are polled again in the next round,
    /// after the backoff (not at once: that would poll at the full limiter rate through an
    /// outage). Failed polls back off exponentially, never longer apart than the poll interval,
    /// so that in-doubt evidence (rule 4.8) keeps its spacing once the API answers again.
    func pollFailed(_ error: BCCError, now: Date, retry: RebootdConfig.Retry, timing: PollTiming, random: Double) {
        let backoff = RetryPolicy(maxAttempts: .max, baseDelay: retry.baseDelay, maxDelay: min(retry.maxDelay, timing.pollInterval))
        nextPollAt = now + backoff.delay(attempt: pollFailures, retryAfter: error.retryAfter.map { min($0, timing.pollInterval) }, random: random)
    }

    /// A poll call was answered: when its round is complete, the next one is due after the poll
    /// interval, or sooner when the round left a call in doubt (read at most
    /// `min(pollInterval, minRebootTime / 2)` apart, SPEC §4.8).
    func callAnswered(now: Date, timing: PollTiming) {
        guard pollsInFlight == 0 && pollChunks.isEmpty else { return }
        if roundHadInDoubt {
            let next = now + timing.inDoubtSpacing
            nextPollAt = min(nextPollAt ?? next, next)
        } else if nextPollAt == nil {
            nextPollAt = now + timing.pollInterval
        }
        roundHadInDoubt = false
    }
}
