import BCC
import Foundation

/// Plan lifecycle: submission, activation, resume after a restart, controls, the end.
extension Scheduler {
    func submitOnQueue(_ file: PlanFile) -> Result<PlanRecord, ValidationError> {
        let now = clock.now()
        do {
            if let existing = try journal.activeHashes()[file.sha256] {
                return .failure(ValidationError(file: file.fileName, problems: [ValidationProblem(
                    path: "", message: "the same content (SHA-256 \(file.sha256.prefix(12))…) is already active as plan \(existing)")]))
            }
            var id = "\(JournalTime.compact(now))-\(file.plan.name)"
            var n = 2
            while try journal.plan(id: id) != nil || planById[id] != nil {
                id = "\(JournalTime.compact(now))-\(file.plan.name)-\(n)"
                n += 1
            }
            let parameters = String(decoding: try JSONEncoder().encode(file.plan), as: UTF8.self)
            let time = JournalTime.format(now)
            let record = PlanRecord(
                id: id, name: file.plan.name, sourceFile: file.fileName, format: file.format.rawValue, sha256: file.sha256,
                submitterUid: Int(file.owner.uid), submitterName: file.owner.name, submittedAt: time,
                state: PlanState.queued.rawValue, parameters: parameters, instanceCount: file.plan.instances.count,
                batchCount: file.plan.layout.batches.count, currentBatch: -1, updatedAt: time, finishedAt: nil, reason: nil)
            let layout = file.plan.layout.batches
            var instances: [PlanInstanceRecord] = []
            instances.reserveCapacity(file.plan.instances.count)
            for (b, range) in layout.enumerated() {
                for i in range {
                    instances.append(PlanInstanceRecord(
                        planId: id, idx: i, instanceId: file.plan.instances[i], batch: b, state: "pending", attempts: 0,
                        conflicts: 0, lastError: nil, lastStatus: nil, observedNonRunning: false, startedAt: nil,
                        finishedAt: nil, updatedAt: time))
                }
            }
            try journal.insertPlan(record, instances: instances, event: PlanEventRecord(
                id: nil, planId: id, at: time, kind: "submitted",
                detail: "from \(file.fileName) by \(file.owner.name) (uid \(file.owner.uid)), \(file.plan.instances.count) instances, \(file.plan.layout.summary)"))
            logger.info("plan accepted", metadata: ["plan": "\(id)", "instances": "\(file.plan.instances.count)", "submitter": "\(file.owner.name)"])
            queuedDirty = true
            schedulePumpOnQueue()
            return .success(record)
        } catch {
            return .failure(ValidationError(file: file.fileName, problems: [ValidationProblem(path: "", message: "journal error: \(error)")]))
        }
    }

    /// Starts queued plans while there is room under `maxActivePlans`.
    func activateQueued(now: Date) {
        guard queuedDirty else { return }
        queuedDirty = false
        guard plans.count < settings.maxActivePlans, let stored = try? journal.activePlans() else { return }
        for record in stored where record.state == PlanState.queued.rawValue && planById[record.id] == nil {
            guard plans.count < settings.maxActivePlans else { break }
            guard let plan = try? record.decodedPlan() else {
                logger.error("plan parameters cannot be decoded; failing it", metadata: ["plan": "\(record.id)"])
                journal.updatePlan(id: record.id, state: PlanState.failed.rawValue, currentBatch: -1, at: now, finished: true,
                                   reason: "parameters cannot be decoded")
                continue
            }
            let run = PlanRun(record: record, plan: plan)
            register(run)
            if plan.dryRun {
                runDry(run, now: now)
            } else {
                setState(run, .running, now: now)
            }
        }
    }

    func register(_ run: PlanRun) {
        plans.append(run)
        planById[run.id] = run
    }

    /// Rebuilds every unfinished plan from the journal. Attempts without an outcome are in
    /// doubt: polled at once, before any new reboot call of that plan.
    func resumeFromJournal(now: Date) throws {
        for record in try journal.activePlans() where record.state != PlanState.queued.rawValue {
            let plan = try record.decodedPlan()
            let run = PlanRun(record: record, plan: plan)
            let stored = try journal.instances(planId: record.id)
            let open = Dictionary(try journal.openAttempts(planId: record.id).map { ($0.instanceId, $0) }, uniquingKeysWith: { $1 })
            for row in stored where row.idx < run.instances.count {
                let inst = run.instances[row.idx]
                inst.state = InstanceState(rawValue: row.state) ?? .pending
                inst.attempts = row.attempts
                inst.conflicts = row.conflicts
                inst.lastError = row.lastError
                inst.lastStatus = row.lastStatus
                inst.observedNonRunning = row.observedNonRunning
                inst.startedAt = row.startedAt.flatMap(JournalTime.parse)
                inst.finishedAt = row.finishedAt.flatMap(JournalTime.parse)
                if inst.state.isTerminal {
                    if inst.state == .failed { run.failed += 1 }
                    continue
                }
                if inst.state != .pending || open[inst.id] != nil { claims[inst.id] = claims[inst.id] ?? run.id }
                if let attempt = open[inst.id], let attemptId = attempt.id {
                    inst.state = .rebooting
                    inst.inDoubtSince = now
                    inst.openAttemptId = attemptId
                    watch(run, inst, urgent: true)
                    run.holdForInDoubt = true
                } else if inst.state == .rebooting {
                    inst.acceptedAt = now
                    watch(run, inst, urgent: false)
                    run.nextPollAt = now
                } else if inst.state == .waiting {
                    inst.waitingSince = now
                    watch(run, inst, urgent: true)
                }
            }
            if run.currentBatch >= 0 && run.currentBatch < run.batches.count {
                for i in run.batches[run.currentBatch] {
                    let inst = run.instances[i]
                    if !inst.state.isTerminal { run.openInBatch += 1 }
                    if inst.state == .pending { run.pushReady(i) }
                }
            }
            if run.state == .paused { run.operatorPaused = true }
            register(run)
            journal.addEvent(planId: run.id, at: now, kind: "resumed",
                             detail: "after restart: \(run.watched.count) instances followed, \(run.instances.filter(\.isInDoubt).count) in doubt")
            logger.notice("plan resumed", metadata: ["plan": "\(run.id)", "inDoubt": "\(run.instances.filter(\.isInDoubt).count)"])
        }
        flushJournal()
    }

    func applyControl(planId: String, verb: String, now: Date) -> String {
        guard let run = planById[planId] else {
            if let record = try? journal.plan(id: planId) {
                if record.state == PlanState.queued.rawValue && verb == "cancel" {
                    journal.updatePlan(id: planId, state: PlanState.cancelled.rawValue, currentBatch: -1, at: now, finished: true,
                                       reason: "cancelled before it started")
                    try? journal.writer.write { db in
                        try db.execute(sql: "UPDATE plan_instances SET state = 'cancelled', updatedAt = ? WHERE planId = ? AND state = 'pending'",
                                       arguments: [JournalTime.format(now), planId])
                    }
                    return "cancelled (it had not started)"
                }
                return "ignored: plan is \(record.state)"
            }
            return "ignored: no such plan"
        }
        switch verb {
        case "pause":
            run.operatorPaused = true
            setState(run, .paused, now: now)
            return "paused"
        case "resume":
            run.operatorPaused = false
            run.accountPaused = false
            for inst in run.instances where inst.state == .pending && inst.batch == run.currentBatch && !inst.inFlight && !inst.queued && !inst.isInDoubt {
                run.pushReady(inst.index)
            }
            return "resumed"
        case "cancel":
            cancel(run, now: now)
            return "cancelling: \(run.instances.filter { $0.inFlight || $0.state == .rebooting }.count) instances followed to their outcome"
        default:
            return "ignored: unknown verb \(verb)"
        }
    }

    func setState(_ run: PlanRun, _ state: PlanState, now: Date, reason: String? = nil) {
        guard run.state != state else { return }
        let old = run.state
        run.state = state
        run.record.state = state.rawValue
        journal.updatePlan(id: run.id, state: state.rawValue, currentBatch: run.currentBatch, at: now,
                           finished: state.isTerminal, reason: reason)
        journal.addEvent(planId: run.id, at: now, kind: "state", detail: "\(old.rawValue) -> \(state.rawValue)\(reason.map { ": \($0)" } ?? "")")
        logger.info("plan \(state.rawValue)", metadata: ["plan": "\(run.id)", "from": "\(old.rawValue)"])
    }

    func finishPlan(_ run: PlanRun, _ state: PlanState, now: Date, reason: String? = nil) {
        setState(run, state, now: now, reason: reason)
        plans.removeAll { $0 === run }
        planById[run.id] = nil
        queuedDirty = true
    }

    /// Dry run: journal the batches and the times they would start, call nothing.
    func runDry(_ run: PlanRun, now: Date) {
        var t = max(now, run.plan.startAfter ?? now)
        for (b, range) in run.batches.enumerated() {
            if let window = run.plan.window, let open = window.nextOpening(after: t) { t = open }
            journal.addEvent(planId: run.id, at: now, kind: "dry-run",
                             detail: "batch \(b + 1)/\(run.batches.count) of \(range.count) would start at \(JournalTime.format(t)): \(run.plan.instances[range].prefix(5).joined(separator: ","))\(range.count > 5 ? ",…" : "")")
            t += run.plan.pauseBetweenBatches
        }
        for inst in run.instances {
            inst.state = .skipped
            inst.lastError = "dry run"
            inst.finishedAt = now
            journal.save(instance: inst.record(planId: run.id, now: now))
        }
        finishPlan(run, .succeeded, now: now, reason: "dry run: nothing was called")
    }
}
