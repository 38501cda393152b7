import Foundation

/// How often instances are read (SPEC §4.2, §4.8), as today's settings and what was learned
/// give it: the poll interval, and the shorter spacing of the readings of a call in doubt.
struct PollTiming: Sendable {
    let pollInterval: TimeInterval
    /// `min(pollInterval, minRebootTime / 2)` (rule 4.8).
    let inDoubtSpacing: TimeInterval
}
