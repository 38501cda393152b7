import BCC
import Foundation
import Logging

/// An instance's rows, its attempts and their answers.
extension PlanRecorder {
    /// The instance's row as it stands (at `at`, or now).
    func save(_ run: PlanRun, _ inst: InstanceRun, at: Date? = nil) {
        journal.save(instance: run.record(of: inst, wall: at ?? wall()))
    }

    /// The instance ended at `at` (its row is saved).
    func finished(_ run: PlanRun, _ inst: InstanceRun, _ end: InstanceEnd, at: Date) {
        journal.save(instance: run.record(of: inst, wall: at))
        let level: Logger.Level = end.state == .failed ? .warning : .info
        logger.log(
            level: level, "instance \(end.state.rawValue)",
            metadata: ["plan": "\(run.id)", "instance": "\(inst.id)", "reason": "\(end.reason ?? "")"])
    }

    /// Journals the reboot calls about to be sent, before they are (rule 4.8): the wall time,
    /// the boot clock with its boot id, and the effect deadline the signature's expiry gives
    /// (SPEC §1). Returns the attempts' ids, in order, and the seconds from this call's start
    /// within which their calls may be sent (`.infinity` without a lease, SPEC §4.16).
    func beginAttempts(_ calls: [(PlanRun, InstanceRun)], boot: BootStamp, expiry: TimeInterval) throws -> (ids: [Int64], sendWithin: TimeInterval) {
        let wallSent = wall()
        let sentAt = JournalTime.format(wallSent)
        let effectDeadline = JournalTime.format(wallSent + expiry)
        return try journal.beginLeasedAttempts(
            calls.map { run, inst in
                AttemptRecord(
                    id: nil, planId: run.id, instanceId: inst.id, attempt: inst.attempts + 1,
                    kind: inst.resendNext ? "resend" : "reboot", sentAt: sentAt, finishedAt: nil,
                    httpStatus: nil, errorCode: nil, message: nil, requestId: nil, outcome: nil,
                    sentBoottimeNs: boot.nanoseconds, bootId: boot.bootId, effectDeadline: effectDeadline)
            })
    }

    /// A reboot call accepted (200).
    func accepted(_ run: PlanRun, _ inst: InstanceRun, attemptId: Int64, requestId: String?, at: Date) {
        journal.finishAttempt(id: attemptId, at: at, httpStatus: 200, errorCode: nil, message: nil, requestId: requestId, outcome: "accepted")
        logger.info("reboot accepted", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)", "requestId": "\(requestId ?? "")"])
    }

    /// A reboot call refused, failed, or lost (an answer that may hide an effect is `in-doubt`).
    func refused(_ run: PlanRun, _ inst: InstanceRun, attemptId: Int64, _ error: BCCError, at: Date) {
        let outcome = error.kind == .transient && error.inDoubt ? "in-doubt" : error.kind.rawValue
        journal.finishAttempt(
            id: attemptId, at: at, httpStatus: error.httpStatus, errorCode: error.code,
            message: error.message, requestId: error.requestId, outcome: outcome)
        // An account error is logged once, at critical, by the account pause.
        guard error.kind != .accountFatal else { return }
        logger.notice(
            "reboot refused: \(error.message)",
            metadata: [
                "plan": "\(run.id)", "instance": "\(inst.id)", "httpStatus": "\(error.httpStatus ?? 0)",
                "code": "\(error.code)", "requestId": "\(error.requestId ?? "")",
            ])
    }

    /// Rule 4.8 resolved an attempt in doubt: `applied`, `not-applied` or `unknown`.
    func resolved(_ run: PlanRun, _ inst: InstanceRun, attempt: Int64, outcome: String, callAgain: Bool) {
        journal.resolveAttempt(id: attempt, outcome: outcome)
        if outcome == "applied" {
            logger.info(
                "in-doubt reboot took effect", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)", "status": "\(inst.lastStatus ?? "")"])
        } else if outcome == "not-applied", callAgain {
            logger.notice("in-doubt reboot never took effect; re-sending", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)"])
        }
    }

    /// Rule 4.8: the evidence cannot tell whether the call took effect; it is never sent again.
    func unknowable(_ run: PlanRun, _ inst: InstanceRun, why: String) {
        if let open = inst.openAttemptId { journal.resolveAttempt(id: open, outcome: "unknown") }
        logger.warning("reboot call in doubt: \(why); not sending it again", metadata: ["plan": "\(run.id)", "instance": "\(inst.id)"])
        journal.addEvent(planId: run.id, at: wall(), kind: "in-doubt", detail: "\(inst.id): \(why); the operator decides")
    }
}
