import Foundation

/// A journal shared by several hosts (SPEC §4.16): the leader runs what the standbys took in.
extension Scheduler {
    /// Looks again at the shared journal: plans other hosts queued start when there is room,
    /// and the controls they journaled are applied in order, each one's result recorded in its
    /// own row (`settle`). Called at each lease renewal and before the first call as leader.
    public func sharedJournalChanged(
        pending: @escaping @Sendable () throws -> [ControlRecord], settle: @escaping @Sendable (Int64, String, Date) -> Void,
        releasingCalls: Bool = false
    ) {
        queue.async { [self] in
            if applySharedOnQueue(pending: pending, settle: settle), releasingCalls, callsHeld {
                callsHeld = false
                pump()
            }
        }
    }

    /// `sharedJournalChanged`, waiting for it: a new leader applies what waited before its first
    /// call (rule 4.10). False when the controls could not be read: the calls stay held.
    public func applySharedJournal(
        pending: @escaping @Sendable () throws -> [ControlRecord], settle: @escaping @Sendable (Int64, String, Date) -> Void
    )
        -> Bool
    {
        queue.sync { applySharedOnQueue(pending: pending, settle: settle) }
    }

    /// On the queue: applies the pending controls not applied yet, in the journal's order.
    func applySharedOnQueue(pending: () throws -> [ControlRecord], settle: (Int64, String, Date) -> Void) -> Bool {
        guard !stopping else { return false }
        queuedDirty = true
        let controls: [ControlRecord]
        do { controls = try pending() } catch {
            logger.error("cannot read the controls journaled for the leader; no call until they are read (next renewal): \(error)")
            schedulePumpOnQueue()
            return false
        }
        let now = clock.now()
        // A control applied here whose result is not committed yet (a failed flush) is still
        // pending in the journal: it is not applied twice.
        for control in controls {
            guard let id = control.id, !appliedControls.contains(id) else { continue }
            appliedControls.insert(id)
            let result = applyControl(planId: control.planId, verb: control.verb, now: now)
            settle(id, result, wall)
            logger.notice("control \(control.verb): \(result)", metadata: ["plan": "\(control.planId)", "user": "\(control.requestedBy)"])
            // Committed before the next one is applied: a plan not running is read back from the
            // journal, and a resume must see the pause before it (as `control` does).
            flushJournal()
        }
        schedulePumpOnQueue()
        return true
    }
}
