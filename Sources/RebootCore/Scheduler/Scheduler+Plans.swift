import BCC
import Foundation

/// Plan lifecycle: submission, activation, resume after a restart, controls, the end.
extension Scheduler {
    /// What `control` answers for a plan id the journal does not know.
    public static let noSuchPlan = ControlRule.noSuchPlan

    func submitOnQueue(_ file: PlanFile, intake: IntakeKey? = nil) -> SubmitOutcome {
        let now = wall
        do {
            if let existing = try journal.activeHashes()[file.sha256] { return .rejected(PlanSubmission.duplicate(file, activeAs: existing)) }
            let id = try PlanSubmission.id(for: file, at: now) { try journal.plan(id: $0) != nil || planById[$0] != nil }
            let submission = try PlanSubmission(file, id: id, at: now)
            let record = submission.record
            try journal.insertPlan(
                record, instances: submission.instances, event: submission.event,
                intake: intake.map { (key: $0, fileName: file.fileName, at: now) })
            emitAccepted(record, plan: file.plan)
            logger.info(
                "plan accepted",
                metadata: [
                    "plan": "\(id)", "file": "\(file.fileName)", "instances": "\(file.plan.instances.count)", "submitter": "\(file.owner.name)",
                ])
            queuedDirty = true
            schedulePumpOnQueue()
            // The journal holds the parameters; the caller gets the record without them, so that
            // their 1.3 MB (100,000 ids) is not held while the plan's instances are built.
            var head = record
            head.parameters = ""
            return .accepted(head)
        } catch {
            return .journalUnavailable("\(error)")
        }
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
        guard plans.count < settings.maxActivePlans else { return }
        let stored: [PlanRecord]
        do { stored = try journal.activePlanHeads() } catch { return retryActivation(after: error, now: now) }
        for record in stored where record.state == PlanState.queued.rawValue && planById[record.id] == nil {
            guard plans.count < settings.maxActivePlans else { break }
            let plan: Plan
            do {
                guard let decoded = try journal.decodedPlan(id: record.id) else { continue }
                plan = decoded
            } catch is DecodingError {
                logger.error("plan parameters cannot be decoded; failing it", metadata: ["plan": "\(record.id)"])
                journal.updatePlan(
                    id: record.id, state: PlanState.failed.rawValue, currentBatch: -1, at: wall, finished: true,
                    reason: "parameters cannot be decoded")
                planEndings += 1
                emitStored(.planFinished, record, state: .failed, instancesIn: .pending, reason: "parameters cannot be decoded")
                continue
            } catch {
                // The journal could not be read: not the plan's fault. It stays queued.
                return retryActivation(after: error, now: now)
            }
            // A dry run cancelled while its gates were checked, then restarted, stays cancelled
            // (the machine restores the stop).
            let run = PlanRun(record: record, plan: plan)
            register(run)
            if plan.dryRun {
                runDry(run, now: now)
            } else if let pause = accountPause {
                pauseForAccount(run, pause, now: now)
            } else {
                recordTransition(run.machine.activated(), run)
            }
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
        for record in try journal.activePlanHeads() where record.state != PlanState.queued.rawValue {
            // A plan paused before it ever started waits, queued, for its resume.
            if record.state == PlanState.paused.rawValue && record.currentBatch < 0 && record.stopRequest == nil { continue }
            guard let plan = try journal.decodedPlan(id: record.id) else { continue }
            let run = PlanRun(record: record, plan: plan)
            let numbers = try journal.attemptNumbers(planId: record.id)
            let counted = try journal.countedAttempts(planId: record.id)
            let open = Dictionary(try journal.openAttempts(planId: record.id).map { ($0.instanceId, $0) }, uniquingKeysWith: { $1 })
            // A chunk of rows at a time (issue 10: all 100,000 at once took a restart to 96 MiB).
            try journal.forEachInstanceChunk(planId: record.id) { rows in
                for row in rows where row.idx < run.instances.count {
                    let id = run.instances[row.idx].id
                    restore(row, in: run, attemptsMade: numbers[id] ?? 0, countedMade: counted[id] ?? 0, open: open[id], now: now)
                }
            }
            run.restoredBatch()
            // Between batches: when this batch's end was journaled, `batch-done` is neither
            // journaled nor sent again, and the pause runs from that end on the boot clock of the
            // same boot; after another boot, in full from now: the wall clock, which a step moves,
            // never shortens it (SPEC §4.13). A `batch-done` event without a stamp (a journal
            // from before v7) gives a full pause from now. With neither (a kill before the
            // commit), the next pump ends the batch now.
            if run.currentBatch >= 0 && run.openInBatch == 0 {
                if let done = try journal.batchDone(planId: record.id), done.batch == run.currentBatch {
                    run.machine.restoredBatchEnd(at: now - (clock.boot().seconds(since: done.boot) ?? 0))
                } else {
                    let tag = "batch \(run.currentBatch + 1)/"
                    if try journal.events(planId: record.id).contains(where: { $0.kind == "batch-done" && $0.detail.hasPrefix(tag) }) {
                        run.machine.restoredBatchEnd(at: now)
                    }
                }
            }
            register(run)
            let inDoubt = run.instances.filter(\.isInDoubt).count
            journal.addEvent(
                planId: run.id, at: wall, kind: "resumed",
                detail: "after restart: \(run.watched.count) instances followed, \(inDoubt) in doubt"
                    + (record.stopRequest.map { ", \($0) in force" } ?? ""))
            logger.notice("plan resumed", metadata: ["plan": "\(run.id)", "inDoubt": "\(inDoubt)", "stop": "\(record.stopRequest ?? "")"])
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
                    maxGap: settings.inDoubtMaxGap)
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
            recordTransition(transition, run)
            if !wasPaused { emit(.planPaused, run, reason: "paused by an operator", cause: .byOperator) }
            return "paused"
        case "resume":
            let wasPaused = run.operatorPaused || run.accountPausedAt != nil
            resume(run, now: now)
            if wasPaused { updateReason(run, "resumed by an operator") }
            return "resumed"
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
        guard let record = try? journal.plan(id: planId) else { return Scheduler.noSuchPlan }
        let outcome = ControlRule.notStarted(
            state: PlanState(rawValue: record.state), stateText: record.state,
            currentBatch: record.currentBatch, verb: verb)
        let reason = ControlRule.reason(outcome)
        switch outcome {
        case .cancel:
            journal.updatePlan(id: planId, state: PlanState.cancelled.rawValue, currentBatch: -1, at: wall, finished: true, reason: reason)
            planEndings += 1
            journal.cancelPendingInstances(planId: planId, at: wall)
            emitStored(.planFinished, record, state: .cancelled, instancesIn: .cancelled, reason: reason)
        case .pause(let announce):
            journal.updatePlan(id: planId, state: PlanState.paused.rawValue, currentBatch: -1, at: wall, finished: false, reason: reason)
            if announce { emitStored(.planPaused, record, state: .paused, instancesIn: .pending, reason: reason, cause: .byOperator) }
        case .requeue:
            journal.updatePlan(id: planId, state: PlanState.queued.rawValue, currentBatch: -1, at: wall, finished: false, reason: nil)
            queuedDirty = true
        case .ignored:
            break
        }
        return ControlRule.answer(outcome)
    }

    /// Lifts an operator's pause and an account pause from one plan (`PlanRun.resumed`); the
    /// waiting instances it gives back are read in the next round.
    func resume(_ run: PlanRun, now: Date) {
        for inst in run.resumed(now: now) { watch(run, inst, urgent: true) }
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
        for run in plans where run.operatorPaused || run.accountPausedAt != nil {
            resume(run, now: now)
            journal.addEvent(planId: run.id, at: wall, kind: "resumed", detail: "resume --all")
            resumed += 1
        }
        for record in (try? journal.activePlanHeads()) ?? [] where record.state == PlanState.paused.rawValue && planById[record.id] == nil {
            _ = controlStoredPlan(planId: record.id, verb: "resume")
            resumed += 1
        }
        return "resumed \(resumed) plan\(resumed == 1 ? "" : "s")\(wasAccount ? ", account pause lifted" : "")"
    }

    /// A plan ended (the machine's transition): journaled, notified, its slot freed.
    func finishPlan(_ run: PlanRun, _ transition: PlanTransition) {
        recordTransition(transition, run)
        emit(.planFinished, run, reason: transition.reason)
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
        for detail in DryRun.schedule(run.plan, batches: run.batches, from: start) {
            journal.addEvent(planId: run.id, at: start, kind: "dry-run", detail: detail)
        }
        for inst in run.instances {
            inst.finish(.skipped(DryRun.reason), wall: start)
            journal.save(instance: run.record(of: inst, wall: start))
        }
        // A dry run checks and journals its gates too; it ends when their answers are in.
        if startDryGates(run, now: now) { return }
        finishPlan(run, run.machine.dryRunEnded(reason: "dry run: nothing was called"))
    }
}
