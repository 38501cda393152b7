/// What became of a plan handed to the scheduler.
public enum SubmitOutcome: Sendable {
    /// Journaled as queued; the record has an empty `parameters` (the journal holds them).
    case accepted(PlanRecord)
    /// Something is wrong with the plan (the same content is already active).
    case rejected(ValidationError)
    /// The journal could not be written or read: nothing was submitted; try again later.
    case journalUnavailable(String)
}
