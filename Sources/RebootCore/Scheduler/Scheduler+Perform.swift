import Foundation

/// Performs what the instance machine decided (`InstanceAction`): queues, journal rows, logs.
extension Scheduler {
    /// The rules a plan's instance events consult, with today's settings (a reload may change them).
    func rules(_ run: PlanRun) -> InstanceRules { InstanceRules(plan: run.plan, retry: settings.retry) }

    func perform(_ action: InstanceAction, _ run: PlanRun, _ inst: InstanceRun, now: Date) {
        switch action {
        case .nothing:
            break
        case .save:
            recorder.save(run, inst)
        case .callAgain:
            unwatch(run, inst)
            run.pushReady(inst.index)
        case .awaitRunning:
            recorder.save(run, inst)
            watch(run, inst, urgent: false)
            let next = now + settings.pollInterval
            run.nextPollAt = min(run.nextPollAt ?? next, next)
        case .blocked:
            run.blocked.append(inst.index)
        case .follow(let urgent):
            watch(run, inst, urgent: urgent)
        case .retry(let delay):
            inst.notBefore = now + delay
            run.delayed.append(inst.index)
        case .end(let end):
            finish(run, inst, end, now: now)
        case .unknowable(let why, let runningNow):
            inDoubtUnknowable(run, inst, why: why, runningNow: runningNow, now: now)
        case .pauseAccount(let then):
            // The caller pauses the account with its error (`pauseAll`) first.
            perform(then, run, inst, now: now)
        case .resolve(let attempt, let outcome, let then):
            recorder.resolved(run, inst, attempt: attempt, outcome: outcome, callAgain: then == .callAgain)
            perform(then, run, inst, now: now)
            if !inst.state.isTerminal { recorder.save(run, inst) }
        }
    }

    /// A reboot confirmed by a poll sent at `pollSent` teaches the plan's shortest reboot
    /// (`PollHoldoff`) and, when this process saw its answer, rule 4.8's shortest reboot: after
    /// a restart `acceptedAt` stands in for an answer long gone, and a reboot that ended
    /// meanwhile would teach a shortest reboot of about nothing.
    func learnReboot(_ run: PlanRun, _ inst: InstanceRun, pollSent: Date) {
        guard let accepted = inst.acceptedAt else { return }
        run.pollHoldoff.confirmed(acceptedAt: accepted, pollSent: pollSent)
        if inst.acceptedHere {
            let seconds = max(0, pollSent.timeIntervalSince(accepted))
            shortestRebootSeen = min(shortestRebootSeen ?? seconds, seconds)
        }
    }

    /// Performs what a plan step decided (`PlanMachine.step`).
    func perform(_ action: PlanAction, _ run: PlanRun, now: Date) {
        switch action {
        case .enter(let transition):
            recorder.transition(transition, run)
        case .wake(let at):
            run.wakeAt = at
        case .dropGateWait:
            run.gateWait = nil
        case .batchFinished(let b, let state):
            recorder.batchFinished(run, b, boot: clock.boot())
            events.emit(.batchFinished, run, batch: b + 1, state: state)
        case .halt(let state):
            halted(run, now: now, state: state)
        case .finish(let transition):
            finishPlan(run, transition)
        case .startBatch(let b):
            guard gatesAllow(run, batch: b, now: now) else { return }
            run.wakeAt = nil
            startBatch(run, b, now: now)
        case .haltForZone(let reason, let state):
            recorder.zoneHalted(run, reason: reason)
            sweep(run, leaving: .halt, now: now)
            events.emit(.planHalted, run, reason: reason, state: state)
        case .checkpoint(let transition):
            recorder.transition(transition, run)
            events.emit(.planPaused, run, reason: transition.reason, cause: .checkpoint)
        case .reason(let reason):
            recorder.reason(run, reason)
        case .windowReopened(let closedFor):
            for inst in run.windowReopened(closedFor: closedFor) { watch(run, inst, urgent: true) }
        }
    }
}
