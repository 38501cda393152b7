import BCC
import Foundation

/// Status polls: rounds of describe-many calls (100 ids each) over the instances a plan
/// follows, and what each status means for rebooting, waiting and in-doubt instances.
extension Scheduler {
    /// The next poll call to send, building a round when one is due.
    func nextPollChunk(now: Date) -> (PlanRun, [(Int, Int)])? {
        for run in plans {
            if let chunk = run.nextPollCall(now: now, timing: pollTiming) { return (run, chunk) }
        }
        return nil
    }

    func sendPoll(_ run: PlanRun, _ chunk: [(Int, Int)], now: Date) {
        run.pollsInFlight += 1
        let planId = run.id
        let started = now
        let ids = chunk.map { run.instances[$0.0].id }
        // A later page of the answer waits for a token of its own (SPEC §4.2): `pageWaits`.
        let nextPage: @Sendable (@escaping @Sendable () -> Void) -> Void = { [weak self] page in
            guard let self else { return }
            self.deliver {
                self.pageWaits.append(page)
                self.schedulePumpOnQueue()
            }
        }
        apiForRegion(run.plan.region).describe(ids, nextPage: nextPage) { [weak self] result in
            guard let self else { return }
            self.deliver { self.pollAnswered(planId: planId, chunk: chunk, started: started, result: result) }
        }
    }

    func pollAnswered(planId: String, chunk: [(Int, Int)], started: Date, result: Result<[Instance], BCCError>) {
        limiter.release()
        defer {
            checkShutdown()
            schedulePumpOnQueue()
        }
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
                    startReadAnswered(run, index, epoch: epoch, statuses[inst.id], now: now)
                {
                    continue
                }
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
                logger.notice(
                    "status poll failed: \(error.message)",
                    metadata: [
                        "plan": "\(planId)", "code": "\(error.code)", "httpStatus": "\(error.httpStatus ?? 0)",
                        "requestId": "\(error.requestId ?? "")",
                    ])
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
            run.pollFailed(error, now: now, retry: settings.retry, timing: pollTiming, random: random())
            startReadFailed(run, chunk, error, now: now)
        }
        run.callAnswered(now: now, timing: pollTiming)
    }
}
