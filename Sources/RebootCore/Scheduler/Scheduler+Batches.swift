import BCC
import Foundation
import Logging

/// The pump: advance every plan (batches, pauses, windows, timeouts), dispatch calls under
/// the rate limit, commit, and arm the timer for the next thing that is due.
extension Scheduler {
    func pump() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !callsHeld else {
            trigger.scheduled = false
            return
        }
        trigger.runHeld()
        let now = clock.now()
        trigger.pumpBegins(at: now)
        if journalFailing {
            // Nothing is decided on top of what the journal does not hold.
            flushJournal()
            if journalFailing {
                if !stopping { arm(now + 1, now: now) }
                afterPump?()
                return
            }
        }
        if !stopping { activateQueued(now: now) }
        for run in plans { advance(run, now: now) }
        if !stopping {
            dispatch(now: now)
        } else {
            // A listing's remaining pages are reads: let them go, so its call ends within the grace.
            while !pageWaits.isEmpty { pageWaits.removeFirst()() }
        }
        flushJournal()
        if !stopping { armTimer(now: now) }
        trigger.refreshHold()
        afterPump?()
    }

    func advance(_ run: PlanRun, now: Date) {
        guard !run.state.isTerminal, !run.plan.dryRun else { return }
        run.promoteDelayed(now: now)
        if !run.watched.isEmpty && now >= run.nextTimeoutCheck {
            // Rule 4.5: while the account pause holds, no deadline runs.
            // The next check is the soonest deadline, not every second (issue 10: a wake only
            // when one can have passed); `watch` moves it earlier for a newly followed instance.
            // While the account pause holds, look again each interval, as before.
            let soonest = run.accountPausedAt == nil ? checkTimeouts(run, now: now) : .distantPast
            run.nextTimeoutCheck = max(now + min(1, settings.pollInterval), soonest)
        }
        let wallNow = wall
        let facts = PlanStepFacts(
            now: now, batchOpen: run.openInBatch > 0 || run.callsOutstanding, batchCount: run.batches.count,
            pauseBetweenBatches: run.pauseBeforeNextBatch, checkpointAfter: { run.checkpoint(after: $0) },
            zoneHold: { run.zoneHold(before: $0) },
            startAfter: run.plan.startAfter.flatMap { $0 > wallNow ? clock.monotonic(forWall: $0) : nil },
            window: run.plan.window.map { window in
                let open = window.isOpen(at: wallNow)
                let opening = open ? nil : window.nextOpening(after: wallNow)
                return (open, opening.map { clock.monotonic(forWall: $0) }, opening.map(window.localTime), window.summary)
            },
            endCounts: {
                let c = run.counts
                return (c[.rebooted] ?? 0, c[.skipped] ?? 0)
            })
        for action in run.machine.step(facts) { perform(action, run, now: now) }
    }

    func startBatch(_ run: PlanRun, _ b: Int, now: Date) {
        let wallNow = wall
        run.openInBatch = 0
        for i in run.batches[b] {
            let inst = run.instances[i]
            guard !inst.state.isTerminal else { continue }
            run.openInBatch += 1
            if inst.state == .pending { inst.batchStarted(wall: wallNow) }
        }
        recorder.transition(run.machine.batchStarted(b), run)
        recorder.batchStarted(run, b, at: wallNow)
        if b == 0 { events.emit(.planStarted, run, batch: 1) }
        // Calls only after the batch's status read (SPEC §4.1).
        for read in run.queueStartReads(batch: b, now: now, rule: batchStartRule) {
            startRead(run, run.instances[read.index], read.status, now: now)
        }
        if run.openInBatch == 0 { schedulePumpOnQueue() }
    }

    /// Deadlines of rules 4.3, 4.4 and 4.8 (monotonic time only). Returns the soonest deadline
    /// of the instances still followed.
    @discardableResult
    func checkTimeouts(_ run: PlanRun, now: Date) -> Date {
        let rules = rules(run)
        for i in Array(run.watched) {
            let inst = run.instances[i]
            perform(inst.deadlineCheck(now: now, rules: rules), run, inst, now: now)
        }
        var soonest = Date.distantFuture
        for i in run.watched { soonest = min(soonest, run.instances[i].nextDeadline(now: now, pollInterval: settings.pollInterval, rules: rules)) }
        return soonest
    }

    /// Rule 4.8: the evidence cannot tell; the call is never sent again. The instance is
    /// followed until it is read `Running` (its batch stays open, its claim held), then ends
    /// `failed (in-doubt)`; the operator decides. `runningNow`: the reading that decided it.
    func inDoubtUnknowable(_ run: PlanRun, _ inst: InstanceRun, why: String, runningNow: Bool, now: Date) {
        recorder.unknowable(run, inst, why: why)
        inst.inDoubtUnknowable(now: now)
        if runningNow { return finish(run, inst, .failed(InstanceRun.inDoubtReason), now: now) }
        recorder.save(run, inst)
        watch(run, inst, urgent: false)
    }

    var pollTiming: PollTiming { PollTiming(pollInterval: settings.pollInterval, inDoubtSpacing: inDoubtReadingSpacing) }

    func watch(_ run: PlanRun, _ inst: InstanceRun, urgent: Bool) {
        run.watch(inst, urgent: urgent, now: clock.now(), timing: pollTiming, rules: rules(run))
    }

    func unwatch(_ run: PlanRun, _ inst: InstanceRun) { run.unwatch(inst) }

    /// Makes an instance terminal, releases its claim and applies the failure budget.
    func finish(_ run: PlanRun, _ inst: InstanceRun, _ end: InstanceEnd, now: Date) {
        guard !inst.state.isTerminal else { return }
        let wallNow = wall
        inst.finish(end, wall: wallNow)
        unwatch(run, inst)
        restartHold.remove(holdKey(run, inst))
        if run.batch(of: inst.index) == run.currentBatch { run.openInBatch -= 1 }
        release(inst.id, from: run)
        recorder.finished(run, inst, end, at: wallNow)
        observer?.rebootFinished(outcome: end.state)
        if end.state == .failed && run.machine.instanceFailed() { halt(run, now: now) }
    }

    /// Rule 4.6: the failure budget is exceeded. No new calls; pending and waiting instances are
    /// skipped; rebooting and in-doubt ones are followed to their outcome. Journaled with the
    /// skips, in one transaction, before any later call.
    func halt(_ run: PlanRun, now: Date) {
        guard run.machine.halt() else { return }
        halted(run, now: now)
    }

    /// Journals and performs a halt the plan machine decided (rule 4.6).
    func halted(_ run: PlanRun, now: Date, state: PlanState? = nil) {
        recorder.halted(run)
        sweep(run, leaving: .halt, now: now)
        events.emit(.planHalted, run, reason: "failure budget exceeded: \(run.failed) failed, \(run.plan.maxFailures) allowed", state: state)
    }

    /// Rule 4.10: no new calls; what is left is cancelled.
    func cancel(_ run: PlanRun, now: Date) {
        guard run.machine.cancel() else { return }
        run.gateWait = run.plan.dryRun ? run.gateWait : nil
        recorder.cancelled(run)
        sweep(run, leaving: .cancel, now: now)
    }

    func sweep(_ run: PlanRun, leaving stop: PlanStop, now: Date) {
        for inst in run.instances where !inst.inFlight && (inst.phase == .pending || inst.phase == .waiting) {
            finish(run, inst, .left(by: stop), now: now)
        }
        run.clearCallQueues()
    }

    /// Rule 4.5: an account-wide error pauses every plan, and plans activated later; logged
    /// once at critical level when it happens, not once per call.
    func pauseAll(because error: BCCError, now: Date) {
        let begins = accountPause == nil
        // The daemon's own state, and the plans it pauses: committed when it happens.
        defer { if begins { flushJournal() } }
        if accountPause == nil {
            accountPause = AccountPause(code: error.code, message: error.message, since: now)
            journal.setAccountPause(code: error.code, message: error.message, at: wall)
            logger.critical(
                "account-level error (\(error.code)): \(error.message); every plan is paused until an operator runs `rebootctl resume --all`",
                metadata: ["httpStatus": "\(error.httpStatus ?? 0)", "code": "\(error.code)", "requestId": "\(error.requestId ?? "")"])
        }
        guard let pause = accountPause else { return }
        for run in plans where run.accountPausedAt == nil { pauseForAccount(run, pause, now: now) }
    }

    /// The plan reason that marks an account pause in the journal (restored after a restart).
    static let accountPauseReason = "account error"

    func pauseForAccount(_ run: PlanRun, _ pause: AccountPause, now: Date) {
        guard let transition = run.machine.accountPaused(now: now, reason: "\(Self.accountPauseReason) \(pause.code): \(pause.message)") else {
            return
        }
        run.gateWait = nil
        recorder.accountPaused(run, pause)
        recorder.transition(transition, run)
        events.emit(.planPaused, run, reason: "\(Self.accountPauseReason) \(pause.code): \(pause.message)", cause: .account)
    }

    func release(_ instanceId: String, from run: PlanRun) {
        guard claims.release(instanceId, from: run.id) else { return }
        // What waited for this plan is read again before its call (SPEC §4.1): this plan may have
        // just rebooted it.
        for other in plans where other !== run {
            for inst in other.released(instanceId) { watch(other, inst, urgent: true) }
        }
    }

    /// Arms the timer for the next thing that is due. Work that needs a call (a due poll, a
    /// ready reboot) waits for the limiter's next token, never for a time already past: that
    /// would fire the timer again at once, with nothing it could send (a busy loop).
    func armTimer(now: Date) {
        var wake = PlanRun.Wake()
        for run in plans {
            let w = run.wake(now: now, timing: pollTiming, callsHeld: !restartHold.isEmpty)
            wake.consider(w.at)
            wake.wantsCall = wake.wantsCall || w.wantsCall
            wake.wantsReboot = wake.wantsReboot || w.wantsReboot
        }
        for r in resolutions.values where r.hasCall {
            if let at = r.notBefore, at > now { wake.consider(at) } else { wake.wantsCall = true }
        }
        if !pageWaits.isEmpty { wake.consider(limiter.nextToken(now: now)) }
        if wake.wantsCall { wake.consider(limiter.nextAvailable(now: now)) }
        if wake.wantsReboot { wake.consider(limiter.nextAvailable(now: now, calls: rebootGroupSize())) }
        if let at = wake.at { arm(at, now: now) }
    }
}
