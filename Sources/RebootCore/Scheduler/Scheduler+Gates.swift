import Foundation

/// Health gates before every batch (SPEC §4.14): checked once the pause has passed and inside
/// the window; the batch starts only when every gate passes; a blocked gate is checked again
/// every `gateInterval`, and one still blocked after `gateTimeout` halts the plan. Every check
/// is journaled as a plan event. Checks run off the queue (`GateChecking`); their answers come
/// back through `deliver`, like the API's.
extension Scheduler {
    /// Whether batch `batch` may start now; otherwise starts or awaits a round of checks.
    func gatesAllow(_ run: PlanRun, batch: Int, now: Date) -> Bool {
        guard let names = run.plan.healthGates, !names.isEmpty else { return true }
        guard !stopping else { return false }
        if run.gateWait?.batch != batch { run.gateWait = GateWait(batch: batch) }
        guard let wait = run.gateWait else { return true }
        if wait.passed {
            run.gateWait = nil
            return true
        }
        if wait.pending > 0 {
            run.wakeAt = nil
            return false
        }
        if let next = wait.nextCheckAt, next > now {
            run.wakeAt = next
            return false
        }
        run.wakeAt = nil
        startGateRound(run, wait, names: names, batch: batch, now: now)
        return false
    }

    func startGateRound(_ run: PlanRun, _ wait: GateWait, names: [String], batch: Int, now: Date) {
        wait.round += 1
        wait.pending = names.count
        wait.results = [:]
        wait.roundStartedAt = now
        let planId = run.id, round = wait.round
        let context = GateContext(planId: run.id, planName: run.plan.name, batch: batch + 1, batchCount: run.batches.count)
        logger.debug("checking gates", metadata: ["plan": "\(planId)", "batch": "\(batch + 1)", "gates": "\(names.joined(separator: ","))"])
        for name in names {
            guard let gate = settings.gates[name], let checker = gateChecker else {
                let why = gateChecker == nil ? "gate checks are not available" : "not defined in the config (a reload removed it?)"
                deliver { [weak self] in self?.gateAnswered(planId: planId, batch: batch, round: round, name: name, result: .blocked(why)) }
                continue
            }
            checker.check(gate, context: context) { [weak self] result in
                guard let self else { return }
                self.deliver { self.gateAnswered(planId: planId, batch: batch, round: round, name: name, result: result) }
            }
        }
    }

    func gateAnswered(planId: String, batch: Int, round: Int, name: String, result: GateResult) {
        guard let run = planById[planId] else { return }
        let now = clock.now()
        // Every check is journaled, even one whose answer comes after the plan stopped waiting.
        var detail = "gate \(name) before batch \(batch + 1)/\(run.batches.count): \(result.word): \(result.detail)"
        if let output = result.output, !output.isEmpty { detail += "\noutput: \(SafeText.escaped(output))" }
        journal.addEvent(planId: planId, at: wall, kind: "gate-check", detail: detail)
        observer?.gateChecked(name, passed: result.passed)
        logger.log(level: result.passed ? .info : .warning, "gate \(result.word)",
                   metadata: ["plan": "\(planId)", "gate": "\(name)", "batch": "\(batch + 1)", "result": "\(result.detail)"])
        if run.plan.dryRun { return dryGateAnswered(run, name: name, result: result, now: now) }
        guard let wait = run.gateWait, wait.batch == batch, wait.round == round, wait.pending > 0 else { return }
        wait.results[name] = result
        wait.pending -= 1
        guard wait.pending == 0 else { return }
        defer { schedulePumpOnQueue() }
        let names = run.plan.healthGates ?? []
        guard let (blockedName, blocked) = wait.firstBlocked(in: names) else {
            wait.passed = true
            wait.blockedSince = nil
            return
        }
        let since = wait.blockedSince ?? wait.roundStartedAt
        wait.blockedSince = since
        let reason = "gate \(blockedName): \(blocked.detail)"
        if now.timeIntervalSince(since) >= settings.gateTimeout {
            run.gateWait = nil
            haltForGate(run, reason: reason, blockedFor: now.timeIntervalSince(since), now: now)
            return
        }
        wait.nextCheckAt = now + settings.gateInterval
        let waiting = "waiting for \(reason)"
        if run.state == .waitingGate { updateReason(run, waiting) } else { setState(run, .waitingGate, now: now, reason: waiting) }
        if !wait.notified {
            wait.notified = true
            emit(.gateBlocked, run, batch: batch + 1, reason: reason)
        }
    }

    /// A gate blocked for `gateTimeout`: the plan halts (rule 4.6's halt, with the gate's
    /// reason), journaled before anything else happens.
    func haltForGate(_ run: PlanRun, reason: String, blockedFor: TimeInterval, now: Date) {
        run.stop = .halt
        run.haltReason = reason
        journal.setStop(planId: run.id, stop: .halt, at: wall, detail: "\(reason) (blocked for \(DurationParser.format(blockedFor.rounded())))")
        updateReason(run, reason)
        logger.error("plan halted: a health gate stayed blocked past gateTimeout", metadata: ["plan": "\(run.id)", "reason": "\(reason)"])
        emit(.planHalted, run, reason: reason)
        sweep(run, to: .skipped, reason: PlanStop.halt.leftReason, now: now)
    }

    /// Rewrites the plan's reason (shown by `rebootctl status` and `watch`) without a state change.
    func updateReason(_ run: PlanRun, _ reason: String) {
        journal.updatePlan(id: run.id, state: run.state.rawValue, currentBatch: run.currentBatch, at: wall, finished: false, reason: reason)
    }

    /// A dry run checks each gate once and journals it; the plan ends when every check is in.
    func startDryGates(_ run: PlanRun, now: Date) -> Bool {
        guard let names = run.plan.healthGates, !names.isEmpty else { return false }
        let wait = GateWait(batch: 0)
        run.gateWait = wait
        startGateRound(run, wait, names: names, batch: 0, now: now)
        return true
    }

    func dryGateAnswered(_ run: PlanRun, name: String, result: GateResult, now: Date) {
        guard let wait = run.gateWait, wait.pending > 0 else { return }
        wait.results[name] = result
        wait.pending -= 1
        guard wait.pending == 0 else { return }
        let names = run.plan.healthGates ?? []
        let summary = names.map { "\($0) \(wait.results[$0]?.word ?? "unchecked")" }.joined(separator: ", ")
        run.gateWait = nil
        finishPlan(run, .succeeded, now: now, reason: "dry run: nothing was called; gates: \(summary)")
        schedulePumpOnQueue()
    }
}
