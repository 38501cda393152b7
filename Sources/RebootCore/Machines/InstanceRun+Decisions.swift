import BCC
import Foundation

/// The instance's events that consult the rules: each moves the machine and returns what the
/// scheduler must do (rules 4.1, 4.3–4.5, 4.8). No queue, clock or I/O here: times come in as
/// arguments.
extension InstanceRun {
    /// A status read of a followed instance: rebooting (rule 4.3), waiting (rule 4.4), in doubt
    /// or unknowable (rule 4.8). `.end(.rebooted)` means a poll sent after the accepted answer
    /// read `Running`.
    func read(_ status: InstanceStatus, pollSent: Date, answered: Date, now: Date, rules: InstanceRules, stop: PlanStop?)
        -> InstanceAction
    {
        let previous = lastStatus
        polled(status)
        let changed = previous != status.rawValue
        switch phase {
        case .inDoubt:
            return inDoubtRead(status, sent: pollSent, answered: answered, now: now, maxAttempts: rules.retry.maxAttempts, stop: stop)
        case .unknowable:
            return status.isRunning ? .end(.failed(Self.inDoubtReason)) : .save
        case .rebooting:
            if rules.outcome.afterPoll(status, pollSent: pollSent, acceptedAt: acceptedAt) == .rebooted { return .end(.rebooted) }
            return changed ? .save : .nothing
        case .waiting:
            switch rules.conflicts.afterPoll(status) {
            case .callAgain: return stop.map { .end(.left(by: $0)) } ?? .callAgain
            case .skip(let reason): return .end(.skipped(reason))
            case .fail(let reason): return .end(.failed(reason))
            case .keepWaiting: return changed ? .save : .nothing
            }
        case .pending, .rebooted, .failed, .skipped, .cancelled:
            return .nothing
        }
    }

    /// Rule 4.8, through `InDoubtEvidence`: a reading of a call in doubt.
    func inDoubtRead(_ status: InstanceStatus, sent: Date, answered: Date, now: Date, maxAttempts: Int, stop: PlanStop?)
        -> InstanceAction
    {
        let open = openAttemptId
        switch inDoubtReading(status, sent: sent, answered: answered) {
        case .applied:
            inDoubtApplied(now: now)
            // The resolution saves the row after `then` (once).
            return open.map { .resolve(attempt: $0, outcome: "applied", then: .nothing) } ?? .save
        case .notApplied:
            inDoubtNotApplied()
            let then: InstanceAction
            if let stop {
                then = .end(.left(stop, "\(stop.leftReason); the in-doubt call never took effect"))
            } else if counted >= maxAttempts {
                then = .end(.failed("\(lastError ?? "Timeout") after \(counted) tries"))
            } else {
                then = .callAgain
            }
            return open.map { .resolve(attempt: $0, outcome: "not-applied", then: then) } ?? then
        case .unknowable(let gap):
            // A non-Running reading is unknowable only when the instance was not read Running before the send.
            let why = status.isRunning ? Self.gapReason(gap) : "read \(status.rawValue) after the call, but not Running before it"
            return .unknowable(why: why, runningNow: status.isRunning)
        case .undecided:
            return .save
        }
    }

    /// The reason rule 4.8 gives when readings were too far apart to tell.
    static func gapReason(_ gap: TimeInterval) -> String { "no status for \(Int(gap.rounded()))s, it may have rebooted unseen" }

    /// An id missing from a describe-many answer is no evidence; missing from three answers in
    /// a row, the instance is skipped with reason `NotFound` (rule 4.8).
    func missedRead() -> InstanceAction {
        guard missedPoll() >= 3 else { return .nothing }
        if isInDoubt, let open = openAttemptId { return .resolve(attempt: open, outcome: "unknown", then: .end(.skipped("NotFound"))) }
        return .end(.skipped("NotFound"))
    }

    /// The reboot call was refused or failed (rules 4.4, 4.5, 4.8). A halted or cancelled plan
    /// calls nothing again: what would be called again is left behind. `evidence` is asked
    /// only when the call is in doubt, `random` only when a backoff is drawn.
    func answered(
        _ error: BCCError, attemptId: Int64, now: Date, rules: InstanceRules, stop: PlanStop?,
        evidence: () -> InDoubtEvidence, random: () -> Double
    ) -> InstanceAction {
        if error.kind == .conflict {
            refused409(code: error.code, now: now)
            if let stop { return .end(.left(by: stop)) }
            if case .fail(let reason) = rules.conflicts.afterConflict(conflicts: conflicts, code: error.code) { return .end(.failed(reason)) }
            return .follow(urgent: true)
        }
        if error.kind == .transient && error.inDoubt {
            callInDoubt(error, attemptId: attemptId, evidence: evidence())
            return .follow(urgent: true)
        }
        callFailed(error)
        // Rule 4.5: the instance no longer exists. A skip, as three misses in describe make it:
        // it does not count against maxFailures.
        if error.httpStatus == 404 { return .end(.skipped("NotFound")) }
        switch rules.retry.after(error, counted: counted, throttles: throttles, random: random()) {
        case .pauseAccount: return .pauseAccount(then: stop.map { .end(.left(by: $0)) } ?? .callAgain)
        case .fail(let reason): return .end(.failed(reason))
        case .retry(let delay): return stop.map { .end(.left(by: $0)) } ?? .retry(after: delay)
        case .conflict, .inDoubt: return .nothing
        }
    }

    /// The batch-start read (SPEC §4.1): `Running` is called; any other status is triaged as
    /// after a 409 (rule 4.4), without a call. Held by another plan (rule 4.7), what it reads
    /// now is that plan's reboot: it waits for that plan to let go.
    func startRead(_ status: InstanceStatus, now: Date, rules: InstanceRules, stop: PlanStop?, heldElsewhere: Bool) -> InstanceAction {
        if let stop { return .end(.left(by: stop)) }
        if heldElsewhere { return .blocked }
        polled(status)
        switch rules.conflicts.afterPoll(status) {
        case .callAgain: return .callAgain
        case .skip(let reason): return .end(.skipped(reason))
        case .fail(let reason): return .end(.failed(reason))
        case .keepWaiting:
            waitForRunning(status, now: now)
            return .awaitRunning
        }
    }

    /// The deadlines of rules 4.3, 4.4 and 4.8 (monotonic time). A call in doubt is never
    /// re-sent on elapsed time alone: past the timeout, only a reading that is not Running
    /// could still tell; with no such reading, the operator decides.
    func deadlineCheck(now: Date, rules: InstanceRules) -> InstanceAction {
        guard !inFlight else { return .nothing }
        switch phase {
        case .unknowable:
            // Followed until Running; past the reboot timeout, the operator decides now.
            if let since = unknowableSince, now.timeIntervalSince(since) > rules.rebootTimeout { return .end(.failed(Self.inDoubtReason)) }
        case .inDoubt:
            if let evidence = inDoubt, evidence.hasGap(now: now),
                now.timeIntervalSince(evidence.sentAt) > rules.rebootTimeout + evidence.minRebootTime
            {
                return .unknowable(why: Self.gapReason(now.timeIntervalSince(evidence.lastEvidenceAt)), runningNow: false)
            }
        case .rebooting:
            if rules.outcome.check(since: rebootingSince, now: now) == .timedOut { return .end(.failed("timeout")) }
        case .waiting:
            if let since = waitingSince,
                case .fail(let reason) = rules.conflicts.timedOut(waitingSince: since, now: now, lastError: lastError)
            {
                return .end(.failed(reason))
            }
        case .pending, .rebooted, .failed, .skipped, .cancelled:
            break
        }
        return .nothing
    }

    /// When `deadlineCheck` must next look: just past the reboot or 409-wait deadline; a call
    /// in doubt or in flight (whose evidence changes with every poll) within the poll interval.
    func nextDeadline(now: Date, pollInterval: TimeInterval, rules: InstanceRules) -> Date {
        if isInDoubt || inFlight { return now + min(1, pollInterval) }
        if let since = unknowableSince { return since + rules.rebootTimeout + 0.001 }
        switch state {
        case .rebooting: return (rebootingSince ?? now) + rules.rebootTimeout + 0.001
        case .waiting: return (waitingSince ?? now) + rules.conflicts.timeout + 0.001
        default: return .distantFuture
        }
    }
}
