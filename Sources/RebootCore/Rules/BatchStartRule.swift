import BCC
import Foundation

/// SPEC §4.1: a batch starts with a read of its instances' status, and a reboot call goes only
/// to an instance whose last read was `Running`. A read of the next batch taken in this batch's
/// last poll round stands as its start read while it is no older than `pollInterval`; a start
/// read the API refuses for what it asks (a 4xx) `retry.maxAttempts` times in a row fails its
/// instances, so the plan cannot hang.
struct BatchStartRule: Sendable {
    let pollInterval: TimeInterval
    let maxRefusals: Int

    /// Whether a read answered at `readAt` is fresh enough to be the start read at `now`.
    func readStands(readAt: Date, now: Date) -> Bool { now.timeIntervalSince(readAt) <= pollInterval }

    /// Whether `inst` may be called now: its last read was `Running`.
    func mayCall(_ inst: InstanceRun) -> Bool { inst.lastReadRunning }

    /// Whether `refusals` refusals in a row fail the read's instances.
    func givesUp(after refusals: Int) -> Bool { refusals >= maxRefusals }
}
