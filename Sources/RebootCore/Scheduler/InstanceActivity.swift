import Foundation

/// What an instance needs only while calls are made for it: call and deadline instants, the
/// in-doubt evidence, retry counters. `InstanceRun` allocates it at the first call and drops it
/// when the instance ends, so the pending and finished instances of a 100,000-instance plan
/// cost only their core (issue 10). Confined to the scheduler queue.
final class InstanceActivity {
    var sentAt: Date?
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
}
