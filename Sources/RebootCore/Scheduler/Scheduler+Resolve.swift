import BCC
import Foundation

/// A queued plan that must learn its ids or zones before it runs (`PlanResolution`, SPEC §2):
/// its read calls go through the rate limiter like any other; what it learned is journaled with
/// its start, in one commit. Until then it is still queued in the journal: a restart resolves
/// it again (only reads were sent).
extension Scheduler {
    func startResolution(_ record: PlanRecord, _ plan: Plan) {
        resolutionsStarted += 1
        var resolution = PlanResolution(plan: plan, record: record)
        resolution.generation = resolutionsStarted
        resolutions[record.id] = resolution
        // Still queued until what it learns is journaled; status says what it waits for.
        let what = plan.select != nil ? "listing the instances select matches" : "reading the instances' zones"
        journal.updatePlan(id: record.id, state: record.state, currentBatch: -1, at: wall, finished: false, reason: "starting: \(what)")
        logger.info("plan starts by \(what)", metadata: ["plan": "\(record.id)"])
    }

    /// The next resolution call to send at `now`.
    func nextResolutionCall(now: Date) -> (String, Int, PlanResolution.Call)? {
        for (id, var r) in resolutions {
            if let call = r.nextCall(now: now) {
                resolutions[id] = r
                return (id, r.generation, call)
            }
        }
        return nil
    }

    func sendResolution(planId: String, generation: Int, _ call: PlanResolution.Call, region: String?, now: Date) {
        let started = now
        let nextPage: @Sendable (@escaping @Sendable () -> Void) -> Void = { [weak self] page in
            guard let self else { return }
            self.deliver {
                self.pageWaits.append(page)
                self.schedulePumpOnQueue()
            }
        }
        let answer: @Sendable (Result<[Instance], BCCError>) -> Void = { [weak self] result in
            guard let self else { return }
            self.deliver { self.resolutionAnswered(planId: planId, generation: generation, call, started: started, result) }
        }
        switch call {
        case .list(let selector): apiForRegion(region).list(selector, nextPage: nextPage, completion: answer)
        case .describe(let ids): apiForRegion(region).describe(ids, nextPage: nextPage, completion: answer)
        }
    }

    func resolutionAnswered(planId: String, generation: Int, _ call: PlanResolution.Call, started: Date, _ result: Result<[Instance], BCCError>) {
        limiter.release()
        defer { schedulePumpOnQueue() }
        let now = clock.now()
        let name = if case .list = call { "list" } else { "describeMany" }
        switch result {
        case .success: observer?.apiCall(name, outcome: "ok", duration: now.timeIntervalSince(started))
        case .failure(let error):
            observer?.apiCall(name, outcome: error.kind.rawValue, duration: now.timeIntervalSince(started))
            if error.kind == .throttled {
                observer?.throttled()
                limiter.throttled(now: now)
            }
            if error.kind == .accountFatal { pauseAll(because: error, now: now) }
            logger.notice("a read before the plan's start failed: \(error.code): \(error.message)", metadata: ["plan": "\(planId)"])
        }
        guard var resolution = resolutions[planId], resolution.generation == generation else { return }
        resolution.answered(call, result, now: now, retry: settings.retry, random: random())
        resolutions[planId] = resolution
        guard resolution.isDone else { return }
        resolutions[planId] = nil
        queuedDirty = true
        switch resolution.outcome {
        case .failed(let reason):
            logger.error("plan cannot start: \(reason)", metadata: ["plan": "\(planId)"])
            journal.updatePlan(id: planId, state: PlanState.failed.rawValue, currentBatch: -1, at: wall, finished: true, reason: reason)
            planEndings += 1
            events.emitStored(.planFinished, resolution.record, state: .failed, instancesIn: .pending, reason: reason)
        case .resolved(let plan, let detail):
            do {
                try journal.resolvePlan(id: planId, plan: plan, at: wall, detail: detail)
            } catch {
                // The plan cannot be encoded: not the API's fault, nor a retry's.
                journal.updatePlan(
                    id: planId, state: PlanState.failed.rawValue, currentBatch: -1, at: wall, finished: true, reason: "cannot journal: \(error)")
                planEndings += 1
                return
            }
            logger.notice("plan resolved: \(detail)", metadata: ["plan": "\(planId)"])
            var record = resolution.record
            record.instanceCount = plan.instances.count
            let run = PlanRun(record: record, plan: plan)
            activate(run, now: now)
            // The reason said what it was learning; now what it learned (a pause keeps its own).
            if run.state == .running { recorder.reason(run, detail) }
        }
    }
}
