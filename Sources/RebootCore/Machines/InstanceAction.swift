import Foundation

/// What the scheduler does after an instance event: the instance machine decides it (with the
/// rules), the scheduler performs it (queues, journal, logs).
indirect enum InstanceAction: Sendable, Equatable {
    /// Nothing changed that the journal or a queue needs.
    case nothing
    /// The journal row changed: save it.
    case save
    /// Queue it for a reboot call (it was read `Running`).
    case callAgain
    /// The batch-start read found a status that passes by itself: save, follow by polls.
    case awaitRunning
    /// Another plan holds it (rule 4.7): wait until that plan lets go.
    case blocked
    /// Follow it by polls; `urgent` reads it in the next round.
    case follow(urgent: Bool)
    /// Call again after a backoff.
    case retry(after: TimeInterval)
    /// It ends.
    case end(InstanceEnd)
    /// Rule 4.8: the call in doubt can no longer be resolved (`runningNow`: the reading that
    /// decided it was `Running`, so it ends now).
    case unknowable(why: String, runningNow: Bool)
    /// Rule 4.5: an account error pauses every plan, then `then`.
    case pauseAccount(then: InstanceAction)
    /// The open attempt's outcome is known now (journal it), then `then`.
    case resolve(attempt: Int64, outcome: String, then: InstanceAction)
}
