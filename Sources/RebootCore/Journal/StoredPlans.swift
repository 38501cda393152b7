import Foundation
import Logging

/// The plans the journal holds that the scheduler does not run: queued ones, and those paused
/// before they started. Their submission (SPEC §3), the controls they take (rule 4.10), and
/// their reading when a slot frees. The scheduler owns the slots and runs what this reads.
struct StoredPlans {
    let journal: any JournalStore
    let logger: Logger
    let events: PlanEvents
    /// The wall clock, for journal times only (SPEC §4.13).
    let wall: () -> Date

    /// What reading a queued plan gave.
    enum Load {
        case plan(Plan)
        /// Gone from the journal meanwhile.
        case gone
        /// Its parameters cannot be decoded: it has ended `failed`, journaled and notified.
        case failed
        /// The journal could not be read: not the plan's fault, it stays queued.
        case unreadable(Error)
    }

    /// What a control did to a stored plan.
    struct ControlEffect {
        var answer: String
        /// The plan ended (cancelled).
        var ended = false
        /// The plan is queued again (resumed before it started).
        var requeued = false
    }

    /// Journals a validated plan as queued, with its file's `intake` key when it came from the
    /// spool. Refuses content that is already active. `taken` says whether the scheduler runs
    /// a plan of that id. The record returned has an empty `parameters` (the journal holds them).
    func submit(_ file: PlanFile, intake: IntakeKey?, taken: (String) -> Bool) -> SubmitOutcome {
        let now = wall()
        do {
            if let existing = try journal.activeHashes()[file.sha256] { return .rejected(PlanSubmission.duplicate(file, activeAs: existing)) }
            let id = try PlanSubmission.id(for: file, at: now) { try journal.plan(id: $0) != nil || taken($0) }
            let submission = try PlanSubmission(file, id: id, at: now)
            let record = submission.record
            try journal.insertPlan(
                record, instances: submission.instances, event: submission.event,
                intake: intake.map { (key: $0, fileName: file.fileName, at: now) })
            events.emitAccepted(record, plan: file.plan)
            logger.info(
                "plan accepted",
                metadata: [
                    "plan": "\(id)", "file": "\(file.fileName)", "instances": "\(file.plan.instances.count)", "submitter": "\(file.owner.name)",
                ])
            // The journal holds the parameters; the caller gets the record without them, so that
            // their 1.3 MB (100,000 ids) is not held while the plan's instances are built.
            var head = record
            head.parameters = ""
            return .accepted(head)
        } catch {
            return .journalUnavailable("\(error)")
        }
    }

    /// Reads a queued plan's parameters, to start it.
    func load(_ record: PlanRecord) -> Load {
        do {
            guard let plan = try journal.decodedPlan(id: record.id) else { return .gone }
            return .plan(plan)
        } catch is DecodingError {
            logger.error("plan parameters cannot be decoded; failing it", metadata: ["plan": "\(record.id)"])
            journal.updatePlan(
                id: record.id, state: PlanState.failed.rawValue, currentBatch: -1, at: wall(), finished: true, reason: "parameters cannot be decoded")
            events.emitStored(.planFinished, record, state: .failed, instancesIn: .pending, reason: "parameters cannot be decoded")
            return .failed
        } catch {
            return .unreadable(error)
        }
    }

    /// A control for a plan that is not running (rule 4.10, `ControlRule.notStarted`).
    func control(planId: String, verb: String) -> ControlEffect {
        guard let record = try? journal.plan(id: planId) else { return ControlEffect(answer: ControlRule.noSuchPlan) }
        let outcome = ControlRule.notStarted(
            state: PlanState(rawValue: record.state), stateText: record.state, currentBatch: record.currentBatch, verb: verb)
        let reason = ControlRule.reason(outcome)
        var effect = ControlEffect(answer: ControlRule.answer(outcome))
        switch outcome {
        case .cancel:
            journal.updatePlan(id: planId, state: PlanState.cancelled.rawValue, currentBatch: -1, at: wall(), finished: true, reason: reason)
            journal.cancelPendingInstances(planId: planId, at: wall())
            events.emitStored(.planFinished, record, state: .cancelled, instancesIn: .cancelled, reason: reason)
            effect.ended = true
        case .pause(let announce):
            journal.updatePlan(id: planId, state: PlanState.paused.rawValue, currentBatch: -1, at: wall(), finished: false, reason: reason)
            if announce { events.emitStored(.planPaused, record, state: .paused, instancesIn: .pending, reason: reason, cause: .byOperator) }
        case .requeue:
            journal.updatePlan(id: planId, state: PlanState.queued.rawValue, currentBatch: -1, at: wall(), finished: false, reason: nil)
            effect.requeued = true
        case .ignored:
            break
        }
        return effect
    }

    /// Journals a control, with who asked (SPEC §4.10).
    func recordControl(planId: String, verb: String, requestedBy owner: FileOwner, requestedAt: Date, result: String) {
        journal.addControl(
            ControlRecord(
                id: nil, planId: planId, verb: verb, requestedByUid: Int(owner.uid), requestedBy: owner.name,
                requestedAt: JournalTime.format(requestedAt), appliedAt: JournalTime.format(wall()), result: result))
        logger.notice("control \(verb): \(result)", metadata: ["plan": "\(planId)", "user": "\(owner.name)"])
    }
}
