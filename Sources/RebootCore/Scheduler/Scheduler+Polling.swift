import BCC
import Foundation

/// Status polls: rounds of describe-many calls (100 ids each) over the instances a plan
/// follows, and what each status means for rebooting, waiting and in-doubt instances.
extension Scheduler {
    /// The next poll call to send, building a round when one is due.
    func nextPollChunk(now: Date) -> (PlanRun, [(Int, Int)])? {
        for run in plans {
            // Unanswered reboot calls are read from the send on (SPEC §4.8), in a call of their own.
            if !run.inFlightReboots.isEmpty {
                let due = run.inFlightReboots.sorted().filter { i in flightReadingDue(run.instances[i]).map { $0 <= now } ?? false }
                    .prefix(BCCClient.maxIdsPerCall)
                if !due.isEmpty {
                    for i in due { run.instances[i].flightReadSent(at: now) }
                    return (run, due.map { ($0, run.instances[$0].epoch) })
                }
            }
            if let reads = run.nextStartRead(now: now) { return (run, reads) }
            if !run.pollChunks.isEmpty { return (run, run.pollChunks.removeFirst()) }
            guard run.pollsInFlight == 0, !run.watched.isEmpty else { continue }
            // A rebooting instance is not polled before the plan's shortest confirmed reboot has
            // passed since its answer (`PollHoldoff`): such a poll could not confirm it.
            let holdoff = run.pollHoldoff.delay(rebootTimeout: run.plan.rebootTimeout)
            var due = run.nextPollAt.map { $0 <= now } ?? false
            if due, run.urgent.isEmpty, let at = roundWorthSending(run, holdoff: holdoff, now: now), at > now {
                run.nextPollAt = at
                due = false
            }
            guard due || !run.urgent.isEmpty else { continue }
            // Urgent instances first; a full round when due; fill every call up to 100 ids.
            var order: [Int] = run.urgent.sorted()
            let rest = run.watched.subtracting(run.urgent).sorted().filter { pollable(run.instances[$0], holdoff: holdoff, now: now) }
            if due { order += rest } else {
                let room = (BCCClient.maxIdsPerCall - order.count % BCCClient.maxIdsPerCall) % BCCClient.maxIdsPerCall
                order += rest.prefix(room)
            }
            var members = order.filter { !run.instances[$0].inFlight }.map { ($0, run.instances[$0].epoch) }
            if due { members = run.withNextBatch(members) }
            run.urgent.removeAll()
            if due { run.nextPollAt = nil }
            guard !members.isEmpty else { continue }
            run.pollChunks = stride(from: 0, to: members.count, by: BCCClient.maxIdsPerCall).map {
                Array(members[$0..<min($0 + BCCClient.maxIdsPerCall, members.count)])
            }
            return (run, run.pollChunks.removeFirst())
        }
        return nil
    }

    /// Whether a poll of `inst` now could tell anything (see `PollHoldoff`).
    func pollable(_ inst: InstanceRun, holdoff: TimeInterval, now: Date) -> Bool {
        guard holdoff > 0, inst.state == .rebooting, !inst.isInDoubt, let accepted = inst.acceptedAt else { return true }
        return accepted + holdoff <= now
    }

    /// When a round of `run` is worth its call (issue 10: poll a batch's instances together).
    /// The batch ends only when its last instance is seen Running, so while every watched
    /// instance is merely rebooting, the round waits until the last of them has passed the
    /// hold-off; never, though, past the first one's `acceptedAt + rebootTimeout/2`, so that no
    /// instance nears its timeout unpolled. A waiting or in-doubt instance needs its readings
    /// at the poll interval (rules 4.4, 4.8): then now. Nil when every one is in flight.
    func roundWorthSending(_ run: PlanRun, holdoff: TimeInterval, now: Date) -> Date? {
        guard holdoff > 0 else { return now }
        var last: Date?, firstDeadline: Date?
        for i in run.watched where !run.instances[i].inFlight {
            let inst = run.instances[i]
            guard inst.state == .rebooting, !inst.isInDoubt, let accepted = inst.acceptedAt else { return now }
            last = max(last ?? accepted, accepted + holdoff)
            firstDeadline = min(firstDeadline ?? .distantFuture, accepted + run.plan.rebootTimeout / 2)
        }
        guard let last, let firstDeadline else { return nil }
        return max(now, min(last, firstDeadline))
    }

    func sendPoll(_ run: PlanRun, _ chunk: [(Int, Int)], now: Date) {
        run.pollsInFlight += 1
        let planId = run.id, started = now
        let ids = chunk.map { run.instances[$0.0].id }
        // A later page of the answer waits for a token of its own (SPEC §4.2): `pageWaits`.
        let nextPage: @Sendable (@escaping @Sendable () -> Void) -> Void = { [weak self] page in
            guard let self else { return }
            self.deliver { self.pageWaits.append(page); self.schedulePumpOnQueue() }
        }
        apiForRegion(run.plan.region).describe(ids, nextPage: nextPage) { [weak self] result in
            guard let self else { return }
            self.deliver { self.pollAnswered(planId: planId, chunk: chunk, started: started, result: result) }
        }
    }

    func pollAnswered(planId: String, chunk: [(Int, Int)], started: Date, result: Result<[Instance], BCCError>) {
        limiter.release()
        defer { checkShutdown(); schedulePumpOnQueue() }
        guard let run = planById[planId] else { return }
        let now = clock.now()
        run.pollsInFlight -= 1
        switch result {
        case .success(let found):
            observer?.apiCall("describeMany", outcome: "ok", duration: now.timeIntervalSince(started))
            run.pollFailures = 0
            var statuses: [String: InstanceStatus] = [:]
            for instance in found { statuses[instance.id] = instance.status }
            for (index, epoch) in chunk {
                let inst = run.instances[index]
                // The restart hold ends with a status read; a missing id is no evidence.
                if statuses[inst.id] != nil { restartHold.remove(holdKey(run, inst)) }
                if inst.state == .pending || run.readsOut.contains(index),
                   startReadAnswered(run, index, epoch: epoch, statuses[inst.id], now: now) { continue }
                if inst.inFlight {
                    // A reading of an unanswered call: kept until its answer says what it means.
                    if inst.epoch == epoch { inst.flightRead(statuses[inst.id], sent: started, answered: now) }
                    continue
                }
                guard inst.epoch == epoch, !inst.state.isTerminal else { continue }
                if let status = statuses[inst.id] {
                    let action = inst.read(status, pollSent: started, answered: now, now: now, rules: rules(run), stop: run.stop)
                    if action == .end(.rebooted) { learnReboot(run, inst, pollSent: started) }
                    perform(action, run, inst, now: now)
                } else {
                    perform(inst.missedRead(), run, inst, now: now)
                }
                if inst.isInDoubt { run.roundHadInDoubt = true }
            }
        case .failure(let error):
            observer?.apiCall("describeMany", outcome: error.kind.rawValue, duration: now.timeIntervalSince(started))
            run.pollFailures += 1
            for (index, epoch) in chunk where run.instances[index].inFlight && run.instances[index].epoch == epoch {
                run.instances[index].flightRead(nil, sent: started, answered: now)
            }
            // A listing that never ends would say so every round: once is enough (SPEC §4.2).
            let repeated = error.code == "ListingNeverEnds" && !loggedOnce.insert(error.code).inserted
            if error.kind != .accountFatal && !repeated {
                logger.notice("status poll failed: \(error.message)", metadata: [
                    "plan": "\(planId)", "code": "\(error.code)", "httpStatus": "\(error.httpStatus ?? 0)",
                    "requestId": "\(error.requestId ?? "")"])
            }
            switch error.kind {
            case .throttled:
                observer?.throttled()
                limiter.throttled(now: now)
            case .accountFatal:
                pauseAll(because: error, now: now)
            default:
                break
            }
            // The instances of the failed call are polled again in the next round, after the
            // backoff (not at once: that would poll at the full limiter rate through an outage).
            // Failed polls back off exponentially, never longer apart than the poll interval, so
            // that in-doubt evidence (rule 4.8) keeps its spacing once the API answers again.
            let backoff = RetryPolicy(maxAttempts: .max, baseDelay: settings.retry.baseDelay,
                                      maxDelay: min(settings.retry.maxDelay, settings.pollInterval))
            run.nextPollAt = now + backoff.delay(attempt: run.pollFailures, retryAfter: error.retryAfter.map { min($0, settings.pollInterval) },
                                                 random: random())
            startReadFailed(run, chunk, error, now: now)
        }
        if run.pollsInFlight == 0 && run.pollChunks.isEmpty {
            if run.roundHadInDoubt {
                // A call in doubt is read at most min(pollInterval, minRebootTime / 2) apart (SPEC §4.8).
                let next = now + inDoubtReadingSpacing
                run.nextPollAt = min(run.nextPollAt ?? next, next)
            } else if run.nextPollAt == nil {
                run.nextPollAt = now + settings.pollInterval
            }
            run.roundHadInDoubt = false
        }
    }
}
