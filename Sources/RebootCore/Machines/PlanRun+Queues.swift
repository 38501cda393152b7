import Foundation

/// The plan's queues: instances followed by polls, backing off, waiting for another plan, and
/// ready for a call (what the scheduler takes its next call from).
extension PlanRun {
    /// Follows `inst` by polls; `urgent` reads it in the next round. Its deadline is checked
    /// when due.
    func watch(_ inst: InstanceRun, urgent: Bool, now: Date, timing: PollTiming, rules: InstanceRules) {
        nextTimeoutCheck = min(nextTimeoutCheck, inst.nextDeadline(now: now, pollInterval: timing.pollInterval, rules: rules))
        inst.watched = true
        watched.insert(inst.index)
        if urgent {
            self.urgent.insert(inst.index)
            // A 409-waiting or in-doubt instance needs its readings at the poll interval (rules
            // 4.4, 4.8): a round deferred for rebooting instances (`PollHoldoff`) comes back.
            let next = now + (inst.isInDoubt ? timing.inDoubtSpacing : timing.pollInterval)
            nextPollAt = min(nextPollAt ?? next, next)
        }
    }

    func unwatch(_ inst: InstanceRun) {
        inst.watched = false
        watched.remove(inst.index)
        urgent.remove(inst.index)
    }

    /// Instances whose backoff has passed are ready again.
    func promoteDelayed(now: Date) {
        guard !delayed.isEmpty else { return }
        var still: [Int] = []
        for i in delayed {
            let inst = instances[i]
            if inst.state.isTerminal { continue }
            if let nb = inst.notBefore, nb > now {
                still.append(i)
            } else {
                inst.notBefore = nil
                pushReady(i)
            }
        }
        delayed = still
    }

    /// A stop: no call waits any more (what was queued was left behind by the sweep).
    func clearCallQueues() {
        ready.removeAll()
        readyHead = 0
        unread.removeAll()
        prereads.removeAll()
        delayed.removeAll()
        blocked.removeAll()
        for inst in instances { inst.queued = false }
    }

    /// The next instance of this plan to call: ready, last read `Running` (SPEC §4.1; else it
    /// is read again), and not held by another plan (rule 4.7; else it waits for it). `claims`
    /// records the call's claim. Returns the instances that went back to be followed as well.
    func nextCallable(rule: BatchStartRule, claims: inout InstanceClaims) -> (call: InstanceRun?, followAgain: [InstanceRun]) {
        var follow: [InstanceRun] = []
        while let i = popReady() {
            let inst = instances[i]
            guard !inst.inFlight, inst.state == .pending || inst.state == .waiting, inst.notBefore == nil else { continue }
            guard rule.mayCall(inst) else {
                if inst.state == .waiting { follow.append(inst) } else { unread.insert(i) }
                continue
            }
            guard claims.claim(inst.id, for: id) else {
                blocked.append(i)
                continue
            }
            return (inst, follow)
        }
        return (nil, follow)
    }

    /// Another plan let go of `instanceId` (rule 4.7): what waited for it here is read again
    /// before its call (SPEC §4.1); the waiting ones are returned, to be followed urgently.
    func released(_ instanceId: String) -> [InstanceRun] {
        guard !blocked.isEmpty else { return [] }
        var still: [Int] = []
        var follow: [InstanceRun] = []
        for i in blocked {
            let inst = instances[i]
            guard inst.id == instanceId else {
                still.append(i)
                continue
            }
            if inst.state == .waiting { follow.append(inst) } else if inst.state == .pending { unread.insert(i) }
        }
        blocked = still
        return follow
    }

    /// Lifts an operator's pause and an account pause (`PlanMachine.resume`). Deadlines move on
    /// by the length of an account pause, during which nothing timed out (rule 4.5). The
    /// batch's instances are read again before their calls (SPEC §4.1): the pause may have
    /// lasted long, and those already queued for a call give up their turn for a read. Returns
    /// the waiting instances, to be read in the next round.
    func resumed(now: Date, approving: Bool = true) -> [InstanceRun] {
        let (wasPaused, lasted) = machine.resume(now: now, approving: approving)
        if let paused = lasted {
            for inst in instances where !inst.state.isTerminal { inst.shiftDeadlines(by: paused) }
        }
        guard wasPaused, currentBatch >= 0 && currentBatch < batches.count else { return [] }
        let follow = requeueReady(shiftingBy: 0)
        for i in batches[currentBatch] {
            let inst = instances[i]
            if inst.state == .pending && !inst.inFlight && !inst.queued && !inst.isInDoubt && inst.notBefore == nil && !readsOut.contains(i) {
                unread.insert(i)
            }
        }
        return follow
    }

    /// SPEC §4.1: the window opened again inside the batch after `closedFor` seconds. What
    /// waited for a call is read again (its last read is from before the close), and the wait
    /// does not count against its deadlines (a 409's `conflictRetry.timeout`). Returns the
    /// waiting instances to follow at once.
    func windowReopened(closedFor: TimeInterval) -> [InstanceRun] {
        guard currentBatch >= 0 && currentBatch < batches.count else { return [] }
        return requeueReady(shiftingBy: closedFor)
    }

    /// Empties the ready queue: pending instances are read again before their call, waiting
    /// ones are returned to follow; their deadlines move by `seconds`.
    private func requeueReady(shiftingBy seconds: TimeInterval) -> [InstanceRun] {
        var follow: [InstanceRun] = []
        for i in drainReady() {
            let inst = instances[i]
            if seconds > 0 { inst.shiftDeadlines(by: seconds) }
            if inst.state == .waiting { follow.append(inst) } else if inst.state == .pending { unread.insert(i) }
        }
        return follow
    }
}
