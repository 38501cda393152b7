import BCC
import Foundation
import Logging

/// The pump: advance every plan (batches, pauses, windows, timeouts), dispatch calls under
/// the rate limit, commit, and arm the timer for the next thing that is due.
extension Scheduler {
    func pump() {
        pumpScheduled = false
        let now = clock.now()
        lastPump = now
        if !stopping { activateQueued(now: now) }
        for run in plans { advance(run, now: now) }
        if !stopping { dispatch(now: now) }
        flushJournal()
        if !stopping { armTimer(now: now) }
    }

    func advance(_ run: PlanRun, now: Date) {
        guard !run.state.isTerminal else { return }
        if !run.delayed.isEmpty {
            var still: [Int] = []
            for i in run.delayed {
                let inst = run.instances[i]
                if inst.state.isTerminal { continue }
                if let nb = inst.notBefore, nb > now { still.append(i) } else { inst.notBefore = nil; run.pushReady(i) }
            }
            run.delayed = still
        }
        if !run.watched.isEmpty && now >= run.nextTimeoutCheck {
            checkTimeouts(run, now: now)
            run.nextTimeoutCheck = now + min(1, settings.pollInterval)
        }
        guard run.openInBatch == 0 && !run.callsOutstanding else {
            if run.mayCall || run.halted || run.cancelling { if run.state != .running { setState(run, .running, now: now) } }
            else if run.operatorPaused || run.accountPaused { setState(run, .paused, now: now) }
            return
        }
        if run.currentBatch >= 0 && run.batchDoneAt == nil {
            run.batchDoneAt = now
            journal.addEvent(planId: run.id, at: now, kind: "batch-done", detail: "batch \(run.currentBatch + 1)/\(run.batches.count) finished")
        }
        if run.cancelling { return finishPlan(run, .cancelled, now: now, reason: "cancelled by an operator") }
        if run.halted { return finishPlan(run, .failed, now: now, reason: "failure budget exceeded: \(run.failed) failed, \(run.plan.maxFailures) allowed") }
        let next = run.currentBatch + 1
        if next >= run.batches.count {
            return finishPlan(run, .succeeded, now: now)
        }
        if run.operatorPaused || run.accountPaused { return setState(run, .paused, now: now) }
        var earliest = run.plan.startAfter ?? .distantPast
        if let done = run.batchDoneAt { earliest = max(earliest, done + run.plan.pauseBetweenBatches) }
        if now < earliest {
            run.wakeAt = earliest
            let beforeStart = run.plan.startAfter.map { now < $0 } ?? false
            return setState(run, beforeStart ? .waitingWindow : .running, now: now)
        }
        if let window = run.plan.window, !window.isOpen(at: now) {
            run.wakeAt = window.nextOpening(after: now)
            return setState(run, .waitingWindow, now: now, reason: "outside window \(window.summary)")
        }
        run.wakeAt = nil
        startBatch(run, next, now: now)
    }

    func startBatch(_ run: PlanRun, _ b: Int, now: Date) {
        run.currentBatch = b
        run.batchDoneAt = nil
        run.openInBatch = 0
        for i in run.batches[b] {
            let inst = run.instances[i]
            guard !inst.state.isTerminal else { continue }
            run.openInBatch += 1
            if inst.state == .pending {
                inst.startedAt = now
                run.pushReady(i)
            }
        }
        setState(run, .running, now: now)
        journal.updatePlan(id: run.id, state: run.state.rawValue, currentBatch: b, at: now, finished: false, reason: nil)
        journal.addEvent(planId: run.id, at: now, kind: "batch-start", detail: "batch \(b + 1)/\(run.batches.count): \(run.batches[b].count) instances")
        logger.info("batch started", metadata: ["plan": "\(run.id)", "batch": "\(b + 1)/\(run.batches.count)", "size": "\(run.batches[b].count)"])
        if run.openInBatch == 0 { schedulePumpOnQueue() }
    }

    func checkTimeouts(_ run: PlanRun, now: Date) {
        for i in Array(run.watched) {
            let inst = run.instances[i]
            guard !inst.inFlight else { continue }
            if let since = inst.inDoubtSince {
                if now.timeIntervalSince(since) > run.plan.rebootTimeout + settings.inDoubtGrace {
                    finish(run, inst, .failed, reason: "timeout (in doubt, no answer from polls)", now: now)
                }
            } else if inst.state == .rebooting, let accepted = inst.acceptedAt, now.timeIntervalSince(accepted) > run.plan.rebootTimeout {
                finish(run, inst, .failed, reason: "timeout", now: now)
            } else if inst.state == .waiting, let since = inst.waitingSince, now.timeIntervalSince(since) > run.plan.conflictRetry.timeout {
                finish(run, inst, .failed, reason: inst.lastError ?? "Instance.RebootInstanceOperationForbidden", now: now)
            }
        }
    }

    func watch(_ run: PlanRun, _ inst: InstanceRun, urgent: Bool) {
        inst.watched = true
        run.watched.insert(inst.index)
        if urgent { run.urgent.insert(inst.index) }
    }

    func unwatch(_ run: PlanRun, _ inst: InstanceRun) {
        inst.watched = false
        run.watched.remove(inst.index)
        run.urgent.remove(inst.index)
    }

    /// Makes an instance terminal, releases its claim and applies the failure budget.
    func finish(_ run: PlanRun, _ inst: InstanceRun, _ state: InstanceState, reason: String?, now: Date) {
        guard !inst.state.isTerminal else { return }
        inst.state = state
        inst.finishedAt = now
        inst.epoch += 1
        inst.inDoubtSince = nil
        if let reason { inst.lastError = reason }
        unwatch(run, inst)
        if inst.batch == run.currentBatch { run.openInBatch -= 1 }
        release(inst.id, from: run)
        journal.save(instance: inst.record(planId: run.id, now: now))
        observer?.rebootFinished(outcome: state)
        let level: Logger.Level = state == .failed ? .warning : .info
        logger.log(level: level, "instance \(state.rawValue)", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)", "reason": "\(reason ?? "")"])
        if state == .failed {
            run.failed += 1
            if !run.halted && run.plan.maxFailures.isExceeded(failed: run.failed, total: run.instances.count) { halt(run, now: now) }
        }
    }

    /// The failure budget is exceeded: no new calls; pending and waiting instances are skipped;
    /// rebooting and in-doubt ones are followed to their outcome.
    func halt(_ run: PlanRun, now: Date) {
        run.halted = true
        journal.addEvent(planId: run.id, at: now, kind: "halted", detail: "\(run.failed) failed, budget \(run.plan.maxFailures)")
        logger.error("plan halted: failure budget exceeded", metadata: ["plan": "\(run.id)", "failed": "\(run.failed)"])
        sweep(run, to: .skipped, reason: "plan halted", now: now)
    }

    func cancel(_ run: PlanRun, now: Date) {
        run.cancelling = true
        journal.addEvent(planId: run.id, at: now, kind: "cancel", detail: "remaining instances cancelled")
        sweep(run, to: .cancelled, reason: "plan cancelled", now: now)
    }

    func sweep(_ run: PlanRun, to state: InstanceState, reason: String, now: Date) {
        for inst in run.instances where !inst.state.isTerminal && !inst.inFlight && !inst.isInDoubt {
            if inst.state == .pending || inst.state == .waiting { finish(run, inst, state, reason: reason, now: now) }
        }
        run.ready.removeAll()
        run.readyHead = 0
        run.delayed.removeAll()
        run.blocked.removeAll()
        for inst in run.instances { inst.queued = false }
    }

    /// An account-wide error: pause every plan, loudly.
    func pauseAll(because error: BCCError, now: Date) {
        logger.critical("BCC refused the account (\(error.code)): every plan is paused until an operator resumes it",
                        metadata: ["httpStatus": "\(error.httpStatus ?? 0)", "code": "\(error.code)", "requestId": "\(error.requestId ?? "")"])
        for run in plans where !run.accountPaused {
            run.accountPaused = true
            setState(run, .paused, now: now, reason: "account error \(error.code): \(error.message)")
        }
    }

    func release(_ instanceId: String, from run: PlanRun) {
        guard claims[instanceId] == run.id else { return }
        claims[instanceId] = nil
        for other in plans where other !== run && !other.blocked.isEmpty {
            let waiting = other.blocked
            other.blocked.removeAll()
            for i in waiting { other.pushReady(i) }
        }
    }

    func armTimer(now: Date) {
        var wake: Date?
        func consider(_ d: Date?) { if let d { wake = min(wake ?? d, d) } }
        var wantsCall = false
        for run in plans {
            consider(run.wakeAt)
            for i in run.delayed { consider(run.instances[i].notBefore) }
            if !run.watched.isEmpty {
                consider(run.nextTimeoutCheck)
                if run.pollsInFlight == 0 { consider(run.nextPollAt) }
                if !run.urgent.isEmpty && run.pollsInFlight == 0 { wantsCall = true }
            }
            if !run.pollChunks.isEmpty || (run.mayCall && run.hasReady) { wantsCall = true }
            if run.state == .paused && run.openInBatch == 0 && !run.callsOutstanding { continue }
        }
        if wantsCall { consider(limiter.nextAvailable(now: now)) }
        if let wake { arm(wake, now: now) }
    }
}
