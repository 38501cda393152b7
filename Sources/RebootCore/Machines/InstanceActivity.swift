import BCC
import Foundation

/// What an instance needs only while calls are made for it: call and deadline instants, the
/// in-doubt evidence, retry counters. `InstanceRun` allocates it at the first call and drops it
/// when the instance ends, so the pending and finished instances of a 100,000-instance plan
/// cost only their core (issue 10). Confined to the scheduler queue.
final class InstanceActivity {
    var sentAt: Date?
    /// The call in flight can take effect until here (its signature's expiry, SPEC §1).
    var effectDeadline: Date?
    /// Whether `acceptedAt` is an answer this process saw (not a restart's stand-in), so the
    /// reboot's duration may teach the shortest reboot (rule 4.8).
    var acceptedHere = false
    var acceptedAt: Date?
    var rebootingSince: Date?
    var waitingSince: Date?
    var inDoubt: InDoubtEvidence?
    var openAttemptId: Int64?
    var notBefore: Date?
    var counted = 0
    var throttles = 0
    var missedPolls = 0
    var resendNext = false
    /// The call in doubt can no longer be resolved (rule 4.8): since when it is followed until
    /// `Running`, to end `failed (in-doubt)`.
    var unknowableSince: Date?
    /// Status readings taken while the reboot call was unanswered (SPEC §4.8: readings start at
    /// the send); they become the first evidence if the call ends in doubt.
    var flightReadings: [(status: InstanceStatus, sent: Date, answered: Date)] = []
    /// When the latest reading of the unanswered call was sent, and whether it is out now.
    var flightReadSentAt: Date?
    var flightReadOut = false
}
