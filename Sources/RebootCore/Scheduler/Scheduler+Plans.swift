import BCC
import Foundation

/// Plan lifecycle: submission, activation, resume after a restart, controls, the end.
extension Scheduler {
    /// What `control` answers for a plan id the journal does not know.
    public static let noSuchPlan = ControlRule.noSuchPlan

    func submitOnQueue(_ file: PlanFile, intake: IntakeKey? = nil) -> SubmitOutcome {
        let outcome = stored.submit(file, intake: intake) { planById[$0] != nil }
        if case .accepted = outcome {
            queuedDirty = true
            schedulePumpOnQueue()
        }
        return outcome
    }

    /// Starts queued plans while there is room under `maxActivePlans`.
    func activateQueued(now: Date) {
        guard queuedDirty else { return }
        queuedDirty = false
        // The plans read below must include what this queue decided since the last commit: a
        // plan that ended outside a pump (a dry run's last gate answer) is no longer queued.
        if journal.hasPendingWrites { flushJournal() }
        // Heads only: each plan's parameters are read when it starts, and their text is gone
        // before its instances are built (issue 10: the daemon's peak memory).
        guard plans.count + resolutions.count < settings.maxActivePlans else { return }
        let heads: [PlanRecord]
        do { heads = try journal.activePlanHeads() } catch { return retryActivation(after: error, now: now) }
        for record in heads where record.state == PlanState.queued.rawValue && planById[record.id] == nil && resolutions[record.id] == nil {
            guard plans.count + resolutions.count < settings.maxActivePlans else { break }
            let plan: Plan
            switch stored.load(record) {
            case .plan(let loaded): plan = loaded
            case .gone: continue
            case .failed:
                planEndings += 1
                continue
            case .unreadable(let error): return retryActivation(after: error, now: now)
            }
            if plan.needsResolution {
                startResolution(record, plan)
            } else {
                activate(PlanRun(record: record, plan: plan), now: now)
            }
        }
    }

    /// Starts a plan taken from the queue (its ids and zones known).
    func activate(_ run: PlanRun, now: Date) {
        register(run)
        // A dry run cancelled while its gates were checked, then restarted, stays cancelled
        // (the machine restores the stop).
        if run.plan.dryRun {
            runDry(run, now: now)
        } else if let pause = accountPause {
            pauseForAccount(run, pause, now: now)
        } else {
            recorder.transition(run.machine.activated(), run)
        }
    }

    /// Queued plans could not be read from the journal: they stay queued, and activation is
    /// tried again in a second.
    func retryActivation(after error: Error, now: Date) {
        logger.error("cannot read queued plans from the journal; trying again in 1 s: \(error)")
        queuedDirty = true
        arm(now + 1, now: now)
    }

    func register(_ run: PlanRun) {
        plans.append(run)
        planById[run.id] = run
    }

    /// Rebuilds every unfinished plan from the journal. Attempts without an outcome are in
    /// doubt: polled at once, and no reboot call of any plan is sent until each of them has had
    /// a poll answered (rule 4.8). A halt or a cancel is restored (rules 4.6, 4.10).
    func resumeFromJournal(now: Date) throws {
        // The account pause is the daemon's own state (SPEC §4.5): it holds whatever became of
        // the plans it paused.
        if let pause = try journal.accountPause() {
            accountPause = AccountPause(code: pause.code, message: pause.message, since: now)
            logger.critical(
                "plans stay paused after an account error (\(pause.code), since \(pause.since)) until an operator runs `rebootctl resume --all`")
        }
        for record in try RestoredPlan.unfinished(in: journal) {
            guard let restored = try RestoredPlan.read(record, in: journal) else { continue }
            let run = PlanRun(record: record, plan: restored.plan)
            try restored.forEachInstance(in: journal, of: run) { row, made, counted, open in
                restore(row, in: run, attemptsMade: made, countedMade: counted, open: open, now: now)
            }
            run.restoredBatch()
            if run.currentBatch >= 0 && run.openInBatch == 0 {
                switch try restored.batchEnd(run.currentBatch, in: journal) {
                case .stamped(let boot): run.machine.restoredBatchEnd(at: now - (clock.boot().seconds(since: boot) ?? 0))
                case .unstamped: run.machine.restoredBatchEnd(at: now)
                case .notJournaled: break
                }
            }
            register(run)
            recorder.resumedAfterRestart(run, stopRequest: record.stopRequest)
            if let stop = run.stop {
                sweep(run, leaving: stop, now: now)
            } else if run.machine.budgetExceeded {
                halt(run, now: now)  // halted before the halt was journaled (or before migration v2)
            }
            if run.state == .paused, run.stop == nil, record.reason?.hasPrefix(Self.accountPauseReason) == true {
                // An account pause holds across a restart, for plans that become active later too.
                run.machine.heldByAccount(since: now, operatorPaused: false)
                if accountPause == nil {
                    // A journal from before v6 knew the pause only from plan reasons: it becomes
                    // the daemon's own state now.
                    accountPause = AccountPause(code: "restored", message: record.reason ?? "", since: now)
                    journal.setAccountPause(code: "restored", message: record.reason ?? "", at: wall)
                    logger.critical("plans stay paused after an account error until an operator runs `rebootctl resume --all`")
                }
            }
        }
        if let pause = accountPause {
            for run in plans where run.accountPausedAt == nil && !run.state.isTerminal {
                if run.state == .paused {
                    run.machine.heldByAccount(since: now, operatorPaused: run.operatorPaused)
                } else {
                    pauseForAccount(run, pause, now: now)
                }
            }
        }
        flushJournal()
    }

    /// Restores one journaled instance row of a plan being resumed (`PlanRun.restore`), and
    /// follows it as it says.
    func restore(_ row: PlanInstanceRecord, in run: PlanRun, attemptsMade: Int, countedMade: Int, open: AttemptRecord?, now: Date) {
        let evidence = open.flatMap { attempt in
            attempt.id.map { id in
                let send = InDoubtEvidence.restartedSend(
                    of: attempt, now: now, boot: clock.boot(), minExpiry: rebootExpiry, minRebootTime: settings.minRebootTime,
                    maxGap: settings.inDoubtMaxGap, takeover: databaseClock)
                return (id, inDoubtEvidence(sentAt: send.sentAt, effectDeadline: send.sentAt + send.expiry))
            }
        }
        guard let restored = run.restore(row, attemptsMade: attemptsMade, countedMade: countedMade, open: evidence, now: now) else { return }
        let inst = run.instances[row.idx]
        if restored.claimed { claims.restore(inst.id, for: run.id) }
        guard inst.state != .pending || restored.holdsCalls else { return }
        watch(run, inst, urgent: restored.urgent)
        if restored.holdsCalls { restartHold.insert(holdKey(run, inst)) }
        if restored.pollNow { run.nextPollAt = now }
    }

    func holdKey(_ run: PlanRun, _ inst: InstanceRun) -> String { "\(run.id)#\(inst.index)" }

    func applyControl(planId: String, verb: String, now: Date) -> String {
        if planId == "all" && verb == "resume" { return resumeAll(now: now) }
        guard let run = planById[planId] else { return controlStoredPlan(planId: planId, verb: verb) }
        switch verb {
        case "pause":
            let (wasPaused, transition) = run.machine.pause()
            run.gateWait = nil
            recorder.transition(transition, run)
            if !wasPaused { events.emit(.planPaused, run, reason: "paused by an operator", cause: .byOperator) }
            return "paused"
        case "resume":
            let checkpoint = run.machine.checkpointHold
            let wasPaused = run.machine.isPaused
            resume(run, now: now)
            if let checkpoint {
                recorder.reason(run, "approved at the checkpoint after batch \(checkpoint)")
                journal.addEvent(planId: run.id, at: wall, kind: "approved", detail: "checkpoint after batch \(checkpoint)")
            } else if wasPaused {
                recorder.reason(run, "resumed by an operator")
            }
            return checkpoint.map { "resumed: approved at the checkpoint after batch \($0)" } ?? "resumed"
        case "cancel":
            if let stop = run.stop { return ControlRule.alreadyStopped(stop) }
            cancel(run, now: now)
            return "cancelling: \(run.instances.filter { $0.inFlight || $0.state == .rebooting }.count) instances followed to their outcome"
        default:
            return ControlRule.unknownVerb(verb)
        }
    }

    /// A control for a plan that is not running: a queued (or queued and paused) plan.
    func controlStoredPlan(planId: String, verb: String) -> String {
        let effect = stored.control(planId: planId, verb: verb)
        // A plan learning its instances stops learning: a cancel ends it, a pause holds it queued
        // (its resume resolves it again).
        if effect.ended || verb == "pause" { resolutions[planId] = nil }
        if effect.ended { planEndings += 1 }
        if effect.requeued { queuedDirty = true }
        return effect.answer
    }

    /// Lifts an operator's pause and an account pause from one plan (`PlanRun.resumed`); the
    /// waiting instances it gives back are read in the next round.
    func resume(_ run: PlanRun, now: Date, approving: Bool = true) {
        for inst in run.resumed(now: now, approving: approving) { watch(run, inst, urgent: true) }
    }

    /// `resume --all`: lifts the account pause and resumes every paused plan, queued ones too.
    func resumeAll(now: Date) -> String {
        let wasAccount = accountPause != nil
        if let pause = accountPause {
            logger.notice("account pause lifted by an operator", metadata: ["code": "\(pause.code)"])
            accountPause = nil
        }
        journal.clearAccountPause()
        var resumed = 0
        // A checkpoint is an approval of one plan: `resume --all` does not give it.
        for run in plans where run.operatorPaused || run.accountPausedAt != nil {
            resume(run, now: now, approving: false)
            journal.addEvent(planId: run.id, at: wall, kind: "resumed", detail: "resume --all")
            resumed += 1
        }
        let held = plans.filter { $0.machine.checkpointHold != nil }.count
        for record in (try? journal.activePlanHeads()) ?? [] where record.state == PlanState.paused.rawValue && planById[record.id] == nil {
            _ = controlStoredPlan(planId: record.id, verb: "resume")
            resumed += 1
        }
        return "resumed \(resumed) plan\(resumed == 1 ? "" : "s")\(wasAccount ? ", account pause lifted" : "")"
            + (held > 0 ? "; \(held) at a checkpoint stay paused (rebootctl resume PLAN approves one)" : "")
    }

    /// A plan ended (the machine's transition): journaled, notified, its slot freed.
    func finishPlan(_ run: PlanRun, _ transition: PlanTransition) {
        recorder.transition(transition, run)
        events.emit(.planFinished, run, reason: transition.reason)
        planEndings += 1
        plans.removeAll { $0 === run }
        planById[run.id] = nil
        queuedDirty = true
        // A queued plan may take the slot. The pump that ends a plan has already looked at the
        // queue, and with no other plan active nothing else would wake the scheduler.
        schedulePumpOnQueue()
    }

    /// Dry run: journal the batches and the times they would start, call nothing.
    func runDry(_ run: PlanRun, now: Date) {
        let start = wall
        recorder.dryRun(run, schedule: DryRun.schedule(run.plan, batches: run.batches, from: start), at: start)
        for inst in run.instances {
            inst.finish(.skipped(DryRun.reason), wall: start)
            journal.save(instance: run.record(of: inst, wall: start))
        }
        // A dry run checks and journals its gates too; it ends when their answers are in.
        if startDryGates(run, now: now) { return }
        finishPlan(run, run.machine.dryRunEnded(reason: "dry run: nothing was called"))
    }
}
