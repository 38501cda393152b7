import Foundation

/// How long after an accepted reboot call an instance is not worth polling: the plan's
/// shortest confirmed reboot so far (issue 10). Until `samplesNeeded` reboots are confirmed
/// there is no hold-off, and it never exceeds half the reboot timeout nor `cap`, so a learned
/// value can only delay a reading, never let a deadline pass unpolled.
///
/// A confirmed duration runs from the accepted answer to the send of the poll that read
/// Running: it over-states the reboot by at most a poll interval, and the minimum over many
/// instances is close to the fastest real one. The rule that an instance is rebooted only when a
/// poll sent after the answer reads Running is unchanged: fewer polls are sent, none is trusted more.
struct PollHoldoff: Sendable, Equatable {
    static let samplesNeeded = 3
    static let cap: TimeInterval = 600

    private(set) var shortest: TimeInterval?
    private(set) var samples = 0

    /// Records a confirmed reboot.
    mutating func confirmed(acceptedAt: Date, pollSent: Date) {
        let seconds = max(0, pollSent.timeIntervalSince(acceptedAt))
        shortest = min(shortest ?? seconds, seconds)
        samples += 1
    }

    /// Seconds after acceptance before a rebooting instance is first polled.
    func delay(rebootTimeout: TimeInterval) -> TimeInterval {
        guard samples >= Self.samplesNeeded, let shortest else { return 0 }
        return min(shortest, rebootTimeout / 2, Self.cap)
    }
}
