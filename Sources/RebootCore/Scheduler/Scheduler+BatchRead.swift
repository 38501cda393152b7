import BCC
import Foundation

/// SPEC §4.1 (`BatchStartRule`, `PlanRun+BatchStart`): the start reads' answers, performed.
extension Scheduler {
    var batchStartRule: BatchStartRule { BatchStartRule(pollInterval: settings.pollInterval, maxRefusals: settings.retry.maxAttempts) }

    /// One instance of a poll answer that was not followed: a batch-start read, or a read of the
    /// next batch in this batch's round. True when it was one of those.
    func startReadAnswered(_ run: PlanRun, _ index: Int, epoch: Int, _ status: InstanceStatus?, now: Date) -> Bool {
        switch run.startReadAnswer(index, epoch: epoch, status, now: now) {
        case .notOne: return false
        case .stale, .kept: return true
        case .notFound: finish(run, run.instances[index], .skipped("NotFound"), now: now)  // SPEC §4.1
        case .read(let status): startRead(run, run.instances[index], status, now: now)
        }
        return true
    }

    /// A start read failed; refused again and again, its instances fail with the API's code.
    func startReadFailed(_ run: PlanRun, _ chunk: [(Int, Int)], _ error: BCCError, now: Date) {
        let failing = run.startReadFailed(chunk, error, retryAt: run.nextPollAt ?? now + settings.pollInterval, rule: batchStartRule)
        guard !failing.isEmpty else { return }
        logger.error(
            "the status read of batch \(run.currentBatch + 1) was refused \(run.startReadRefusals) times (\(error.code)): failing its instances",
            metadata: ["plan": "\(run.id)"])
        for i in failing { finish(run, run.instances[i], .failed(error.code), now: now) }
    }

    /// What the status read at a batch's start means (see `InstanceRun.startRead`).
    func startRead(_ run: PlanRun, _ inst: InstanceRun, _ status: InstanceStatus, now: Date) {
        if run.stop == nil { run.startReadRefusals = 0 }
        let heldElsewhere = claims.isHeld(inst.id, byOtherThan: run.id)
        perform(inst.startRead(status, now: now, rules: rules(run), stop: run.stop, heldElsewhere: heldElsewhere), run, inst, now: now)
    }
}
