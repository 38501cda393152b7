import Foundation

/// A journal shared by several hosts (SPEC §4.16): the leader runs what the standbys took in.
extension Scheduler {
    /// Looks again at the shared journal: plans other hosts queued start when there is room,
    /// and the controls they journaled are applied in order, each one's result recorded in its
    /// own row (`settle`). Called at each lease renewal and before the first call as leader.
    public func sharedJournalChanged(
        pending: @escaping @Sendable () throws -> [ControlRecord], settle: @escaping @Sendable (Int64, String, Date) -> Void
    ) {
        queue.async { [self] in
            guard !stopping else { return }
            queuedDirty = true
            let controls: [ControlRecord]
            do { controls = try pending() } catch {
                logger.error("cannot read the controls other hosts journaled; trying again at the next renewal: \(error)")
                schedulePumpOnQueue()
                return
            }
            let now = clock.now()
            for control in controls {
                guard let id = control.id else { continue }
                let result = applyControl(planId: control.planId, verb: control.verb, now: now)
                settle(id, result, wall)
                logger.notice("control \(control.verb): \(result)", metadata: ["plan": "\(control.planId)", "user": "\(control.requestedBy)"])
            }
            if !controls.isEmpty { flushJournal() }
            schedulePumpOnQueue()
        }
    }

    /// `sharedJournalChanged`, waiting for it: a new leader applies what waited before its first
    /// call (rule 4.10).
    public func applySharedJournal(
        pending: @escaping @Sendable () throws -> [ControlRecord], settle: @escaping @Sendable (Int64, String, Date) -> Void
    ) {
        sharedJournalChanged(pending: pending, settle: settle)
        queue.sync {}
    }
}
