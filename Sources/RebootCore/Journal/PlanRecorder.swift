import Foundation
import Logging

/// Writes a running plan's life into the journal and the log, in the words `rebootctl`, the
/// report and operators read: state changes, batches, stops, pauses. It decides nothing: the
/// machines have decided, and the scheduler makes one of these for each thing it records.
/// Nothing here commits (the scheduler does, at the end of a pump or where a rule says so).
struct PlanRecorder {
    let journal: any JournalStore
    let logger: Logger
    /// The wall clock, for journal times only (SPEC §4.13).
    let wall: () -> Date

    /// A plan's state change, as its machine made it.
    func transition(_ transition: PlanTransition?, _ run: PlanRun) {
        guard let t = transition else { return }
        journal.updatePlan(
            id: run.id, state: t.to.rawValue, currentBatch: run.currentBatch, at: wall(),
            finished: t.to.isTerminal, reason: t.reason)
        journal.addEvent(
            planId: run.id, at: wall(), kind: "state", detail: "\(t.from.rawValue) -> \(t.to.rawValue)\(t.reason.map { ": \($0)" } ?? "")")
        logger.info("plan \(t.to.rawValue)", metadata: ["plan": "\(run.id)", "from": "\(t.from.rawValue)"])
    }

    /// Rewrites the plan's reason (shown by `rebootctl status` and `watch`) without a state change.
    func reason(_ run: PlanRun, _ reason: String) {
        journal.updatePlan(id: run.id, state: run.state.rawValue, currentBatch: run.currentBatch, at: wall(), finished: false, reason: reason)
    }

    /// Batch `b` started at `now` (its gates, if any, passed).
    func batchStarted(_ run: PlanRun, _ b: Int, at now: Date) {
        let gates = run.plan.healthGates.map { "gates passed before batch \(b + 1): \($0.joined(separator: ", "))" }
        journal.updatePlan(id: run.id, state: run.state.rawValue, currentBatch: b, at: now, finished: false, reason: gates)
        journal.addEvent(
            planId: run.id, at: now, kind: "batch-start", detail: "batch \(b + 1)/\(run.batches.count): \(run.batches[b].count) instances")
        logger.info("batch started", metadata: ["plan": "\(run.id)", "batch": "\(b + 1)/\(run.batches.count)", "size": "\(run.batches[b].count)"])
    }

    /// Batch `b` ended; the stamp on the boot clock times the pause after it across a restart.
    func batchFinished(_ run: PlanRun, _ b: Int, boot: BootStamp) {
        journal.addEvent(planId: run.id, at: wall(), kind: "batch-done", detail: "batch \(b + 1)/\(run.batches.count) finished")
        journal.setBatchDone(planId: run.id, batch: b, boot: boot)
    }

    /// Rule 4.6: the failure budget is exceeded.
    func halted(_ run: PlanRun) {
        journal.setStop(planId: run.id, stop: .halt, at: wall(), detail: "\(run.failed) failed, budget \(run.plan.maxFailures)")
        logger.error("plan halted: failure budget exceeded", metadata: ["plan": "\(run.id)", "failed": "\(run.failed)"])
    }

    /// SPEC §4.14: a health gate stayed blocked for `gateTimeout`.
    func gateHalted(_ run: PlanRun, reason: String, blockedFor: TimeInterval) {
        journal.setStop(planId: run.id, stop: .halt, at: wall(), detail: "\(reason) (blocked for \(DurationParser.format(blockedFor.rounded())))")
        self.reason(run, reason)
        logger.error("plan halted: a health gate stayed blocked past gateTimeout", metadata: ["plan": "\(run.id)", "reason": "\(reason)"])
    }

    /// `zones: one-at-a-time`: a zone ended with a host down; the next is not started.
    func zoneHalted(_ run: PlanRun, reason: String) {
        journal.setStop(planId: run.id, stop: .halt, at: wall(), detail: reason)
        logger.error("plan halted at a zone's end: \(reason)", metadata: ["plan": "\(run.id)"])
    }

    /// Rule 4.10: an operator cancelled the plan.
    func cancelled(_ run: PlanRun) {
        journal.setStop(planId: run.id, stop: .cancel, at: wall(), detail: "remaining instances cancelled")
    }

    /// Rule 4.5: the account pause holds this plan.
    func accountPaused(_ run: PlanRun, _ pause: AccountPause) {
        journal.addEvent(planId: run.id, at: wall(), kind: "account-paused", detail: "\(pause.code): \(pause.message)")
    }

    /// A plan rebuilt from the journal after a restart.
    func resumedAfterRestart(_ run: PlanRun, stopRequest: String?) {
        let inDoubt = run.instances.filter(\.isInDoubt).count
        journal.addEvent(
            planId: run.id, at: wall(), kind: "resumed",
            detail: "after restart: \(run.watched.count) instances followed, \(inDoubt) in doubt" + (stopRequest.map { ", \($0) in force" } ?? ""))
        logger.notice("plan resumed", metadata: ["plan": "\(run.id)", "inDoubt": "\(inDoubt)", "stop": "\(stopRequest ?? "")"])
    }

    /// A dry run's batches and the times they would start (SPEC §4.11).
    func dryRun(_ run: PlanRun, schedule: [String], at start: Date) {
        for detail in schedule { journal.addEvent(planId: run.id, at: start, kind: "dry-run", detail: detail) }
    }
}
