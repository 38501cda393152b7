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
        switch wait.step(now: now, names: names) {
        case .pass:
            run.gateWait = nil
            return true
        case .waitUntil(let at):
            run.wakeAt = at
        case .roundTimedOut(let missing):
            // A check that never answers (a hung command, a lost connection) is blocked.
            let why = "no answer within \(DurationParser.format(now.timeIntervalSince(wait.roundStartedAt).rounded()))"
            recorder.gatesUnanswered(run, missing, batch: batch, why: why)
            wait.timedOut(missing, why: why)
            roundFinished(run, wait, names: names, now: now)
            run.wakeAt = run.gateWait?.nextCheckAt
            schedulePumpOnQueue()
        case .startRound:
            startGateRound(run, wait, names: names, batch: batch, now: now)
            run.wakeAt = wait.roundDeadline
        }
        return false
    }

    func startGateRound(_ run: PlanRun, _ wait: GateWait, names: [String], batch: Int, now: Date) {
        let planId = run.id
        gateRunner.startRound(run, wait, names: names, batch: batch, now: now, gates: settings.gates, logger: logger) {
            [weak self] round, name, result in
            guard let self else { return }
            self.deliver { self.gateAnswered(planId: planId, batch: batch, round: round, name: name, result: result) }
        }
    }

    func gateAnswered(planId: String, batch: Int, round: Int, name: String, result: GateResult) {
        guard let run = planById[planId] else { return }
        let now = clock.now()
        recorder.gateChecked(run, gate: name, batch: batch, result, repeated: run.gateWait.map { $0.batch == batch && $0.notified } ?? false)
        observer?.gateChecked(name, passed: result.passed)
        let names = run.plan.healthGates ?? []
        guard let wait = run.gateWait, wait.answer(name, result, batch: batch, round: round, names: names) else { return }
        if run.plan.dryRun { return dryGateAnswered(run, wait, names: names, now: now) }
        // A plan paused, cancelled or halted meanwhile acts on no answer (its wait is over).
        guard run.stop == nil, !run.operatorPaused, run.accountPausedAt == nil else {
            run.gateWait = nil
            return
        }
        guard wait.pending == 0 else { return }
        roundFinished(run, wait, names: names, now: now)
        schedulePumpOnQueue()
    }

    /// Every gate of the round answered (or its deadline passed): pass, wait, or halt.
    func roundFinished(_ run: PlanRun, _ wait: GateWait, names: [String], now: Date) {
        switch wait.roundFinished(names: names, now: now, interval: settings.gateInterval, timeout: settings.gateTimeout) {
        case .passed:
            break
        case .timedOut(let reason, let blockedFor):
            run.gateWait = nil
            haltForGate(run, reason: reason, blockedFor: blockedFor, now: now)
        case .blocked(let reason, let firstNotice):
            let waiting = "waiting for \(reason)"
            if run.state == .waitingGate { recorder.reason(run, waiting) } else { recorder.transition(run.machine.gateBlocked(reason: waiting), run) }
            if firstNotice { events.emit(.gateBlocked, run, batch: wait.batch + 1, reason: reason) }
        }
    }

    /// A gate blocked for `gateTimeout`: the plan halts (rule 4.6's halt, with the gate's
    /// reason), journaled before anything else happens.
    func haltForGate(_ run: PlanRun, reason: String, blockedFor: TimeInterval, now: Date) {
        guard run.machine.halt(reason: reason) else { return }
        recorder.gateHalted(run, reason: reason, blockedFor: blockedFor)
        sweep(run, leaving: .halt, now: now)
        events.emit(.planHalted, run, reason: reason)
    }

    /// A dry run checks each gate once and journals it; the plan ends when every check is in.
    func startDryGates(_ run: PlanRun, now: Date) -> Bool {
        guard let names = run.plan.healthGates, !names.isEmpty, run.stop == nil else { return false }
        let wait = GateWait(batch: 0)
        run.gateWait = wait
        startGateRound(run, wait, names: names, batch: 0, now: now)
        return true
    }

    func dryGateAnswered(_ run: PlanRun, _ wait: GateWait, names: [String], now: Date) {
        guard wait.pending == 0 else { return }
        let summary = wait.summary(of: names)
        run.gateWait = nil
        // Cancelled while its gates were checked: it ends cancelled, whatever they said.
        finishPlan(
            run,
            run.machine.dryRunEnded(
                reason: "dry run: nothing was called; gates: \(summary)\(run.stop == .cancel ? "; cancelled by an operator" : "")"))
        schedulePumpOnQueue()
    }
}
