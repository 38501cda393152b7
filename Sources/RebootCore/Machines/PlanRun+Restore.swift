import Foundation

/// A plan rebuilt from the journal after a restart (rules 4.6, 4.8, 4.10, SPEC §4.1): each
/// instance row back in its phase, and what the scheduler must do about it.
extension PlanRun {
    /// How a restored instance is followed.
    struct Restored: Equatable {
        /// Another plan's call of it waits for this plan (rule 4.7).
        var claimed: Bool
        /// Polled (`urgent`: in the first round).
        var urgent: Bool
        /// Its call had no outcome: no reboot call of any plan until it has been read (rule 4.8).
        var holdsCalls = false
        /// A rebooting instance: the first round goes at once.
        var pollNow = false
    }

    /// Restores one journaled row. `open`: the instance's attempt without an outcome, with the
    /// evidence to gather about it. Nil when the instance has nothing to follow (ended, or
    /// pending without an open attempt).
    func restore(_ row: PlanInstanceRecord, attemptsMade: Int, countedMade: Int, open: (id: Int64, evidence: InDoubtEvidence)?, now: Date)
        -> Restored?
    {
        let inst = instances[row.idx]
        inst.restore(row, attemptsMade: attemptsMade, countedMade: countedMade)
        if inst.state.isTerminal {
            if inst.state == .failed { _ = machine.instanceFailed() }
            return nil
        }
        let claimed = inst.state != .pending || open != nil
        if let open {
            inst.resumeInDoubt(attemptId: open.id, evidence: open.evidence)
            return Restored(claimed: claimed, urgent: true, holdsCalls: true)
        }
        switch inst.state {
        case .rebooting where row.lastError == InstanceRun.inDoubtReason:
            // A call in doubt that could not be resolved: followed until Running, never re-sent.
            inst.inDoubtUnknowable(now: now)
            return Restored(claimed: claimed, urgent: true)
        case .rebooting:
            inst.resumeRebooting(now: now)
            return Restored(claimed: claimed, urgent: false, pollNow: true)
        case .waiting:
            inst.resumeWaiting(now: now)
            return Restored(claimed: claimed, urgent: true)
        default:
            return claimed ? Restored(claimed: true, urgent: false) : nil
        }
    }

    /// Every row is back: the current batch's open instances are counted, and its pending ones
    /// are read again before any call (SPEC §4.1: their last read is from before the restart).
    func restoredBatch() {
        guard currentBatch >= 0 && currentBatch < batches.count else { return }
        for i in batches[currentBatch] {
            let inst = instances[i]
            if !inst.state.isTerminal { openInBatch += 1 }
            if inst.state == .pending && !inst.isInDoubt { unread.insert(i) }
        }
    }
}
