import BCC
import Foundation

/// Sending calls under the rate limit: polls first (they unblock progress), then reboot calls
/// round-robin across plans. Attempts are committed before their calls are sent.
extension Scheduler {
    func dispatch(now: Date) {
        var reboots: [(PlanRun, InstanceRun)] = []
        var polls: [(PlanRun, [(Int, Int)])] = []
        while limiter.canAcquire(now: now) {
            if let (run, chunk) = nextPollChunk(now: now) {
                _ = limiter.tryAcquire(now: now)
                polls.append((run, chunk))
            } else if let (run, inst) = nextReboot() {
                _ = limiter.tryAcquire(now: now)
                reboots.append((run, inst))
            } else {
                break
            }
        }
        for (run, chunk) in polls { sendPoll(run, chunk, now: now) }
        guard !reboots.isEmpty else { return }
        let attempts = reboots.map { run, inst in
            AttemptRecord(id: nil, planId: run.id, instanceId: inst.id, attempt: inst.attempts + 1,
                          kind: inst.resendNext ? "resend" : "reboot", sentAt: JournalTime.format(now), finishedAt: nil,
                          httpStatus: nil, errorCode: nil, message: nil, requestId: nil, outcome: nil)
        }
        let ids: [Int64]
        do {
            ids = try journal.beginAttempts(attempts)
        } catch {
            logger.error("cannot journal reboot attempts, not sending them: \(error)")
            for (run, inst) in reboots {
                limiter.release()
                inst.notBefore = now + 1
                run.delayed.append(inst.index)
            }
            return
        }
        for ((run, inst), attemptId) in zip(reboots, ids) { sendReboot(run, inst, attemptId: attemptId, now: now) }
    }

    func nextReboot() -> (PlanRun, InstanceRun)? {
        guard !plans.isEmpty else { return nil }
        for offset in 0..<plans.count {
            let run = plans[(roundRobin + offset) % plans.count]
            guard run.mayCall, run.state == .running else { continue }
            while let i = run.popReady() {
                let inst = run.instances[i]
                guard !inst.inFlight, inst.state == .pending || inst.state == .waiting, inst.notBefore == nil else { continue }
                if let holder = claims[inst.id], holder != run.id {
                    run.blocked.append(i)
                    continue
                }
                claims[inst.id] = run.id
                roundRobin = (roundRobin + offset + 1) % plans.count
                return (run, inst)
            }
        }
        return nil
    }

    func sendReboot(_ run: PlanRun, _ inst: InstanceRun, attemptId: Int64, now: Date) {
        inst.attempts += 1
        inst.inFlight = true
        inst.epoch += 1
        inst.resendNext = false
        inst.openAttemptId = attemptId
        run.inFlightCalls += 1
        let planId = run.id, index = inst.index, started = now
        logger.debug("reboot sent", metadata: ["plan": "\(planId)", "instance": "\(inst.id)", "attempt": "\(inst.attempts)"])
        apiForRegion(run.plan.region).reboot(inst.id, forceStop: run.plan.forceStop) { [weak self] result in
            guard let self else { return }
            self.hop { self.rebootAnswered(planId: planId, index: index, attemptId: attemptId, started: started, result: result) }
        }
    }

    func rebootAnswered(planId: String, index: Int, attemptId: Int64, started: Date, result: Result<String?, BCCError>) {
        limiter.release()
        defer { checkShutdown(); schedulePumpOnQueue() }
        guard let run = planById[planId] else { return }
        let inst = run.instances[index]
        let now = clock.now()
        run.inFlightCalls -= 1
        inst.inFlight = false
        inst.epoch += 1
        switch result {
        case .success(let requestId):
            observer?.apiCall("reboot", outcome: "ok", duration: now.timeIntervalSince(started))
            observer?.rebootAccepted(at: now)
            journal.finishAttempt(id: attemptId, at: now, httpStatus: 200, errorCode: nil, message: nil, requestId: requestId, outcome: "accepted")
            inst.openAttemptId = nil
            inst.state = .rebooting
            inst.acceptedAt = now
            inst.waitingSince = nil
            inst.retries = 0
            watch(run, inst, urgent: false)
            logger.info("reboot accepted", metadata: ["plan": "\(planId)", "instance": "\(inst.id)", "requestId": "\(requestId ?? "")"])
            if !run.callsOutstanding { run.nextPollAt = now } else if run.nextPollAt == nil { run.nextPollAt = now + settings.pollInterval }
        case .failure(let error):
            observer?.apiCall("reboot", outcome: error.kind.rawValue, duration: now.timeIntervalSince(started))
            let outcome = error.kind == .transient && error.inDoubt ? "in-doubt" : error.kind.rawValue
            journal.finishAttempt(id: attemptId, at: now, httpStatus: error.httpStatus, errorCode: error.code,
                                  message: error.message, requestId: error.requestId, outcome: outcome)
            inst.lastError = error.code
            logger.log(level: error.kind == .accountFatal ? .critical : .notice, "reboot refused: \(error.message)",
                       metadata: ["plan": "\(planId)", "instance": "\(inst.id)", "httpStatus": "\(error.httpStatus ?? 0)",
                                  "code": "\(error.code)", "requestId": "\(error.requestId ?? "")"])
            handleRebootError(run, inst, error, attemptId: attemptId, now: now)
        }
        if !inst.state.isTerminal { journal.save(instance: inst.record(planId: planId, now: now)) }
    }

    func handleRebootError(_ run: PlanRun, _ inst: InstanceRun, _ error: BCCError, attemptId: Int64, now: Date) {
        inst.openAttemptId = nil
        switch error.kind {
        case .conflict:
            observer?.conflict()
            inst.conflicts += 1
            if run.halted || run.cancelling {
                finish(run, inst, run.halted ? .skipped : .cancelled, reason: run.halted ? "plan halted" : "plan cancelled", now: now)
            } else if inst.conflicts >= run.plan.conflictRetry.maxAttempts {
                finish(run, inst, .failed, reason: error.code, now: now)
            } else {
                inst.state = .waiting
                inst.waitingSince = inst.waitingSince ?? now
                watch(run, inst, urgent: true)
            }
        case .throttled:
            observer?.throttled()
            limiter.throttled(now: now)
            retryOrFail(run, inst, error, now: now)
        case .transient where error.inDoubt:
            inst.state = .rebooting
            inst.inDoubtSince = now
            inst.openAttemptId = attemptId
            watch(run, inst, urgent: true)
        case .transient:
            retryOrFail(run, inst, error, now: now)
        case .instanceFatal:
            finish(run, inst, .failed, reason: "\(error.code): \(error.message)", now: now)
        case .accountFatal:
            pauseAll(because: error, now: now)
            run.pushReady(inst.index)
        }
    }

    func retryOrFail(_ run: PlanRun, _ inst: InstanceRun, _ error: BCCError, now: Date) {
        inst.retries += 1
        if run.halted || run.cancelling {
            finish(run, inst, run.halted ? .skipped : .cancelled, reason: run.halted ? "plan halted" : "plan cancelled", now: now)
        } else if inst.retries >= settings.retry.maxAttempts {
            finish(run, inst, .failed, reason: "\(error.code) after \(inst.retries) tries", now: now)
        } else {
            let backoff = Backoff(baseDelay: settings.retry.baseDelay, maxDelay: settings.retry.maxDelay)
            inst.notBefore = now + backoff.delay(attempt: inst.retries, retryAfter: error.retryAfter, random: random())
            run.delayed.append(inst.index)
        }
    }
}
