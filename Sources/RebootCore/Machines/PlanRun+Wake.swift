import Foundation

/// What the plan waits for, so that the scheduler's one timer wakes for the soonest of it.
extension PlanRun {
    /// The plan's next wake: the soonest time something is due, whether a read call is due now
    /// (it waits for the limiter's next token, never for a time already past), and whether a
    /// reboot call is ready.
    struct Wake {
        var at: Date?
        var wantsCall = false
        var wantsReboot = false

        mutating func consider(_ date: Date?) { if let date { at = min(at ?? date, date) } }
    }

    func wake(now: Date, timing: PollTiming, callsHeld: Bool) -> Wake {
        var w = Wake()
        if let at = wakeAt, at > now { w.consider(at) }
        for i in delayed { w.consider(instances[i].notBefore) }
        if !watched.isEmpty {
            w.consider(nextTimeoutCheck)
            if pollsInFlight == 0, let due = nextPollAt {
                if due <= now { w.wantsCall = true } else { w.consider(due) }
            }
            if !urgent.isEmpty && pollsInFlight == 0 { w.wantsCall = true }
        }
        if !pollChunks.isEmpty { w.wantsCall = true }
        if !unread.isEmpty && mayCall {
            if let at = unreadNotBefore, at > now { w.consider(at) } else { w.wantsCall = true }
        }
        if mayCall && hasReady && !callsHeld { w.wantsReboot = true }
        for i in inFlightReboots {
            if let due = flightReadingDue(instances[i], timing: timing) { if due <= now { w.wantsCall = true } else { w.consider(due) } }
        }
        return w
    }
}
