import BCC
import Foundation

/// Sending calls under the rate limit: polls first (they unblock progress), then reboot calls
/// round-robin across plans. Attempts are committed before their calls are sent.
extension Scheduler {
    func dispatch(now: Date) {
        // A listing's next page first: its call is under way and holds a flight slot.
        while !pageWaits.isEmpty, limiter.tryTakeToken(now: now) { pageWaits.removeFirst()() }
        var reboots: [(PlanRun, InstanceRun)] = []
        var polls: [(PlanRun, [(Int, Int)])] = []
        let rebootsGo = limiter.canAcquire(now: now, calls: rebootGroupSize())
        while limiter.canAcquire(now: now) {
            if let (run, chunk) = nextPollChunk(now: now) {
                _ = limiter.tryAcquire(now: now)
                polls.append((run, chunk))
            } else if let (planId, generation, call) = nextResolutionCall(now: now) {
                _ = limiter.tryAcquire(now: now)
                sendResolution(planId: planId, generation: generation, call, region: resolutions[planId]?.plan.region, now: now)
            } else if rebootsGo, let (run, inst) = nextReboot() {
                _ = limiter.tryAcquire(now: now)
                reboots.append((run, inst))
            } else {
                break
            }
        }
        for (run, chunk) in polls { sendPoll(run, chunk, now: now) }
        guard !reboots.isEmpty else { return }
        // Journaled before the send (rule 4.8); under a lease, sent only before the deadline
        // the journal gave, by this host's monotonic clock (rule 4.16).
        let statementSent = clock.now()
        let wallSent = clock.wallNow()
        let ids: [Int64]
        let sendDeadline: Date
        let wallDeadline: Date
        do {
            let begun = try recorder.beginAttempts(reboots, boot: clock.boot(), expiry: rebootExpiry)
            (ids, sendDeadline, wallDeadline) = (begun.ids, statementSent + begun.sendWithin, wallSent + begun.sendWithin)
        } catch {
            logger.error("cannot journal reboot attempts, not sending them: \(error)")
            for (run, inst) in reboots { notSent(run, inst, now: now) }
            return
        }
        // Asked once each call is signed (the signature's time is then never past the
        // deadline); the wall clock too, whichever says later: a paused VM's monotonic clock
        // may not have moved (a step of the wall clock can only hold a call back). A call not
        // sent fails `NotSent`: certainly not applied.
        let clock = self.clock
        let mayStillSend: @Sendable () -> Bool = { clock.now() < sendDeadline && clock.wallNow() < wallDeadline }
        for ((run, inst), attemptId) in zip(reboots, ids) { sendReboot(run, inst, attemptId: attemptId, now: now, mayStillSend: mayStillSend) }
    }

    /// A reboot call that was not sent: its slot goes back, and the instance waits a second.
    func notSent(_ run: PlanRun, _ inst: InstanceRun, now: Date) {
        limiter.release()
        release(inst.id, from: run)
        inst.notBefore = now + 1
        run.delayed.append(inst.index)
    }

    /// How many reboot calls to send together: `callGrouping` seconds of tokens at the current
    /// rate, or fewer when fewer are ready (see `SchedulerSettings.callGrouping`).
    func rebootGroupSize() -> Int {
        guard restartHold.isEmpty else { return 1 }
        var ready = 0
        for run in plans where run.mayCall && run.state == .running { ready += run.ready.count - run.readyHead }
        // At most half the burst: a group that needs a full bucket loses the refill that
        // arrives while the timer wakes, and the sustained rate falls below the limit.
        return max(1, min(ready, Int(limiter.currentRate * settings.callGrouping), Int(limiter.bucket.capacity) / 2))
    }

    /// The next instance to call, round-robin across plans. Nothing while the restart hold
    /// lasts (rule 4.8); an account pause holds each plan (`PlanRun.mayCall`).
    func nextReboot() -> (PlanRun, InstanceRun)? {
        guard !plans.isEmpty, restartHold.isEmpty else { return nil }
        for offset in 0..<plans.count {
            let run = plans[(roundRobin + offset) % plans.count]
            guard run.mayCall, run.state == .running else { continue }
            let (call, followAgain) = run.nextCallable(rule: batchStartRule, claims: &claims)
            for inst in followAgain { watch(run, inst, urgent: true) }
            if let inst = call {
                roundRobin = (roundRobin + offset + 1) % plans.count
                return (run, inst)
            }
        }
        return nil
    }

    func sendReboot(_ run: PlanRun, _ inst: InstanceRun, attemptId: Int64, now: Date, mayStillSend: @escaping @Sendable () -> Bool) {
        guard mayStillSend() else {
            // The deadline passed already (a stalled statement, a frozen process): no call, and
            // no attempt counted; the client asks again after signing, for the last microseconds.
            logger.error("the send deadline of the lease passed before the call went out: not sent", metadata: ["instance": "\(inst.id)"])
            journal.finishAttempt(
                id: attemptId, at: wall, httpStatus: nil, errorCode: BCCError.notSent.code, message: BCCError.notSent.message, requestId: nil,
                outcome: "not-applied")
            return notSent(run, inst, now: now)
        }
        inst.sent(attemptId: attemptId, now: now, effectDeadline: now + rebootExpiry)
        inst.flightEnded()
        run.inFlightCalls += 1
        run.inFlightReboots.insert(inst.index)
        let planId = run.id
        let index = inst.index
        let started = now
        logger.debug("reboot sent", metadata: ["plan": "\(planId)", "instance": "\(inst.id)", "attempt": "\(inst.attempts)"])
        apiForRegion(run.plan.region).reboot(inst.id, forceStop: run.plan.forceStop, mayStillSend: mayStillSend) { [weak self] result in
            guard let self else { return }
            // Rule 3 counts from when the answer arrived; `deliver` may hold an acceptance for the
            // next pump. Any other answer is journaled at once: a held 409 lost to a kill -9 would
            // leave the attempt open, and the restart would take the status that caused the 409
            // for the call's effect (issue 23).
            let arrived = self.clock.now()
            let accepted = if case .success = result { true } else { false }
            self.deliver(holdable: accepted) {
                self.rebootAnswered(planId: planId, index: index, attemptId: attemptId, started: started, arrived: arrived, result: result)
            }
        }
    }

    func rebootAnswered(
        planId: String, index: Int, attemptId: Int64, started: Date, arrived: Date,
        result: Result<String?, BCCError>
    ) {
        limiter.release()
        defer {
            checkShutdown()
            schedulePumpOnQueue()
        }
        guard let run = planById[planId] else { return }
        let inst = run.instances[index]
        let now = clock.now()
        let wallNow = wall
        run.inFlightCalls -= 1
        run.inFlightReboots.remove(index)
        let readings = inst.flightReadings
        inst.flightEnded()
        switch result {
        case .success(let requestId):
            observer?.apiCall("reboot", outcome: "ok", duration: arrived.timeIntervalSince(started))
            observer?.rebootAccepted(at: wallNow)
            recorder.accepted(run, inst, attemptId: attemptId, requestId: requestId, at: wallNow)
            inst.accepted(now: min(arrived, now))
            watch(run, inst, urgent: false)
            if !run.callsOutstanding { run.nextPollAt = now } else if run.nextPollAt == nil { run.nextPollAt = now + settings.pollInterval }
        case .failure(let error):
            if error.code != BCCError.notSent.code {
                observer?.apiCall("reboot", outcome: error.kind.rawValue, duration: arrived.timeIntervalSince(started))
            }
            recorder.refused(run, inst, attemptId: attemptId, error, at: wallNow)
            if error.kind == .conflict { observer?.conflict() }
            let action = inst.answered(
                error, attemptId: attemptId, now: now, rules: rules(run), stop: run.stop,
                evidence: {
                    let sent = inst.sentAt ?? now
                    return inDoubtEvidence(
                        sentAt: sent, effectDeadline: inst.effectDeadline ?? sent + rebootExpiry,
                        runningBeforeSend: inst.lastReadRunning)
                }, random: random)
            if error.kind == .throttled && error.httpStatus != 404 {
                observer?.throttled()
                limiter.throttled(now: now)
            }
            if case .pauseAccount(let then) = action {
                pauseAll(because: error, now: now)
                perform(then, run, inst, now: now)
            } else {
                perform(action, run, inst, now: now)
            }
            // In doubt: what was read while the call was unanswered is its first evidence.
            for r in readings where inst.isInDoubt {
                perform(inst.read(r.status, pollSent: r.sent, answered: r.answered, now: now, rules: rules(run), stop: run.stop), run, inst, now: now)
            }
        }
        if !inst.state.isTerminal { recorder.save(run, inst, at: wallNow) }
        // A refused or failed answer (and an account pause it caused) is committed now, not at
        // the next pump: lost to a kill -9, the restart would take the reason for a 409 (a
        // transitional status) for the call's effect (issue 23 #2).
        if case .failure = result { flushJournal() }
    }

    /// Seconds after its send that a reboot call can still take effect: its signature's expiry,
    /// plus a second for the resolution of the API clock it is signed on (`APIClock`).
    var rebootExpiry: TimeInterval { TimeInterval(BCCClient.rebootExpirationSeconds(requestTimeout: settings.requestTimeout)) + 1 }

    /// The shortest time a reboot keeps an instance out of Running, as rule 4.8 uses it: the
    /// configured `minRebootTime`, or the shortest reboot seen confirmed so far when smaller.
    var effectiveMinRebootTime: TimeInterval { min(settings.minRebootTime, shortestRebootSeen ?? .infinity) }

    /// The evidence to gather about a call sent at `sentAt` (monotonic) whose outcome is unknown
    /// and which can take effect until `effectDeadline`, the one it was sent with.
    /// `runningBeforeSend`: the last read before the send was `Running` (rule 4.1 makes it so;
    /// after a restart it is taken from that rule).
    func inDoubtEvidence(sentAt: Date, effectDeadline: Date, runningBeforeSend: Bool = true) -> InDoubtEvidence {
        InDoubtEvidence(
            sentAt: sentAt, effectDeadline: effectDeadline, minRebootTime: effectiveMinRebootTime,
            inDoubtMaxGap: settings.inDoubtMaxGap, runningBeforeSend: runningBeforeSend)
    }

    /// How far apart the readings of a call in doubt may be (SPEC §4.8).
    var inDoubtReadingSpacing: TimeInterval { min(settings.pollInterval, effectiveMinRebootTime / 2) }
}
