import BCC
import Foundation

/// Status polls: rounds of describe-many calls (100 ids each) over the instances a plan
/// follows, and what each status means for rebooting, waiting and in-doubt instances.
extension Scheduler {
    /// The next poll call to send, building a round when one is due.
    func nextPollChunk(now: Date) -> (PlanRun, [(Int, Int)])? {
        for run in plans {
            if !run.pollChunks.isEmpty { return (run, run.pollChunks.removeFirst()) }
            guard run.pollsInFlight == 0, !run.watched.isEmpty else { continue }
            let due = run.nextPollAt.map { $0 <= now } ?? false
            guard due || !run.urgent.isEmpty else { continue }
            // Urgent instances first; a full round when due; fill every call up to 100 ids.
            var order: [Int] = run.urgent.sorted()
            let rest = run.watched.subtracting(run.urgent).sorted()
            if due { order += rest } else {
                let room = (BCCClient.maxIdsPerCall - order.count % BCCClient.maxIdsPerCall) % BCCClient.maxIdsPerCall
                order += rest.prefix(room)
            }
            let members = order.filter { !run.instances[$0].inFlight }.map { ($0, run.instances[$0].epoch) }
            run.urgent.removeAll()
            if due { run.nextPollAt = nil }
            guard !members.isEmpty else { continue }
            run.pollChunks = stride(from: 0, to: members.count, by: BCCClient.maxIdsPerCall).map {
                Array(members[$0..<min($0 + BCCClient.maxIdsPerCall, members.count)])
            }
            return (run, run.pollChunks.removeFirst())
        }
        return nil
    }

    func sendPoll(_ run: PlanRun, _ chunk: [(Int, Int)], now: Date) {
        run.pollsInFlight += 1
        let planId = run.id, started = now
        let ids = chunk.map { run.instances[$0.0].id }
        apiForRegion(run.plan.region).describe(ids) { [weak self] result in
            guard let self else { return }
            self.hop { self.pollAnswered(planId: planId, chunk: chunk, started: started, result: result) }
        }
    }

    func pollAnswered(planId: String, chunk: [(Int, Int)], started: Date, result: Result<[Instance], BCCError>) {
        limiter.release()
        defer { checkShutdown(); schedulePumpOnQueue() }
        guard let run = planById[planId] else { return }
        let now = clock.now()
        run.pollsInFlight -= 1
        switch result {
        case .success(let found):
            observer?.apiCall("describeMany", outcome: "ok", duration: now.timeIntervalSince(started))
            var statuses: [String: InstanceStatus] = [:]
            for instance in found { statuses[instance.id] = instance.status }
            for (index, epoch) in chunk {
                let inst = run.instances[index]
                guard inst.epoch == epoch, !inst.state.isTerminal, !inst.inFlight else { continue }
                apply(statuses[inst.id] ?? InstanceStatus("NotFound"), to: inst, in: run, pollSent: started, now: now)
            }
        case .failure(let error):
            observer?.apiCall("describeMany", outcome: error.kind.rawValue, duration: now.timeIntervalSince(started))
            logger.notice("status poll failed: \(error.message)", metadata: ["plan": "\(planId)", "code": "\(error.code)",
                                                                           "httpStatus": "\(error.httpStatus ?? 0)", "requestId": "\(error.requestId ?? "")"])
            switch error.kind {
            case .throttled:
                observer?.throttled()
                limiter.throttled(now: now)
            case .accountFatal:
                pauseAll(because: error, now: now)
            default:
                break
            }
            for (index, _) in chunk where run.instances[index].isInDoubt || run.instances[index].state == .waiting {
                run.urgent.insert(index)
            }
            let backoff = Backoff(baseDelay: settings.retry.baseDelay, maxDelay: min(settings.retry.maxDelay, settings.pollInterval))
            run.nextPollAt = now + backoff.delay(attempt: 2, retryAfter: error.retryAfter, random: random())
        }
        if run.pollsInFlight == 0 && run.pollChunks.isEmpty {
            if run.nextPollAt == nil { run.nextPollAt = now + settings.pollInterval }
            if run.holdForInDoubt && !run.instances.contains(where: { $0.isInDoubt && run.urgent.contains($0.index) }) {
                run.holdForInDoubt = false
            }
        }
    }

    /// What one observed status means for one instance.
    func apply(_ status: InstanceStatus, to inst: InstanceRun, in run: PlanRun, pollSent: Date, now: Date) {
        let previous = inst.lastStatus
        inst.lastStatus = status.rawValue
        if let since = inst.inDoubtSince {
            if !status.isRunning {
                inst.inDoubtSince = nil
                inst.observedNonRunning = true
                inst.acceptedAt = since
                if let open = inst.openAttemptId { journal.resolveAttempt(id: open, outcome: "applied") }
                inst.openAttemptId = nil
                logger.info("in-doubt reboot took effect", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)", "status": "\(status)"])
            } else if now.timeIntervalSince(since) >= settings.inDoubtGrace {
                if let open = inst.openAttemptId { journal.resolveAttempt(id: open, outcome: "not-applied") }
                inst.openAttemptId = nil
                inst.inDoubtSince = nil
                unwatch(run, inst)
                if run.halted || run.cancelling {
                    finish(run, inst, run.halted ? .skipped : .cancelled, reason: "the in-doubt call never took effect", now: now)
                } else {
                    inst.state = .pending
                    inst.resendNext = true
                    run.pushReady(inst.index)
                    logger.notice("in-doubt reboot never took effect; re-sending", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)"])
                }
            }
            journal.save(instance: inst.record(planId: run.id, now: now))
            return
        }
        switch inst.state {
        case .rebooting:
            if status.isRunning {
                if let accepted = inst.acceptedAt, pollSent >= accepted { finish(run, inst, .rebooted, reason: nil, now: now) }
            } else if !inst.observedNonRunning {
                inst.observedNonRunning = true
                journal.save(instance: inst.record(planId: run.id, now: now))
            }
        case .waiting:
            if status.isRunning {
                unwatch(run, inst)
                if run.halted || run.cancelling {
                    finish(run, inst, run.halted ? .skipped : .cancelled, reason: run.halted ? "plan halted" : "plan cancelled", now: now)
                } else {
                    run.pushReady(inst.index)
                }
            } else if status.isParked {
                finish(run, inst, .skipped, reason: status.rawValue, now: now)
            } else if status == .error {
                finish(run, inst, .failed, reason: "instance status Error", now: now)
            } else if previous != status.rawValue {
                journal.save(instance: inst.record(planId: run.id, now: now))
            }
        default:
            break
        }
    }
}
