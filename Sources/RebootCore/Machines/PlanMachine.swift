import Foundation

/// A plan's lifecycle (SPEC §4, "Plan states"; rules 4.5, 4.6, 4.10, 4.13, 4.14) as a value:
/// where its batches are, what holds its calls, and whether it was stopped for good. Events are
/// methods; a state change comes back as a `PlanTransition` (or inside `PlanAction`s) for the
/// scheduler to journal. The plan's state is assigned here and nowhere else.
struct PlanMachine: Sendable, Equatable {
    /// Where the plan's batches are; each case carries only its own data.
    enum Progress: Sendable, Equatable {
        /// No batch has started.
        case notStarted
        /// Batch `b` (0-based) runs, or ended and its end is not recorded yet.
        case batch(Int)
        /// Batch `b` ended at `endedAt` (monotonic); the next waits for the pause, the window
        /// and the gates.
        case between(Int, endedAt: Date)
        /// The plan ended; its last batch (-1 for one that never started) stays its batch.
        case finished(lastBatch: Int)
    }

    private(set) var state: PlanState
    private(set) var progress: Progress
    /// Halted or cancelled: no new reboot call, ever (journaled, restored after a restart).
    private(set) var stop: PlanStop?
    /// Why the plan halted, when not for its failure budget (a health gate, SPEC §4.14).
    private(set) var haltReason: String?
    private(set) var operatorPaused = false
    /// While an account error pauses the plan (rule 4.5): since when (monotonic).
    private(set) var accountPausedAt: Date?
    /// Failed instances, against `budget` (rule 4.6).
    private(set) var failed = 0
    /// A checkpoint holds the plan after this batch (1-based) until a person approves it with
    /// `rebootctl resume PLAN` (SPEC §2): apart from an operator's or the account's pause, so
    /// that neither `resume --all` nor the end of an account pause passes it.
    private(set) var checkpointHold: Int?
    /// Since when (monotonic) a closed window holds the calls of a started batch (SPEC §4.1).
    private(set) var windowHeldSince: Date?
    /// The reason journaled with `waiting-window`, to journal a new one when it changes.
    private(set) var waitReason: String?
    let budget: FailureBudget
    let total: Int

    init(state: PlanState = .queued, currentBatch: Int = -1, budget: FailureBudget, total: Int) {
        self.state = state
        progress = currentBatch >= 0 ? .batch(currentBatch) : .notStarted
        self.budget = budget
        self.total = total
    }

    /// The machine of a journaled plan (activated, or resumed after a restart): its state, its
    /// batch, a halt or a cancel in force (rules 4.6, 4.10), an operator's pause.
    init(restoring record: PlanRecord, budget: FailureBudget, total: Int) {
        self.init(state: PlanState(rawValue: record.state) ?? .queued, currentBatch: record.currentBatch, budget: budget, total: total)
        stop = record.stopRequest.flatMap(PlanStop.init(rawValue:))
        if stop == .halt, let reason = record.reason, reason.hasPrefix("gate ") || reason.hasPrefix(Self.zoneHaltPrefix) {
            haltReason = reason
        }
        if state == .paused, let reason = record.reason, reason.hasPrefix(Self.checkpointPrefix),
            let n = Int(reason.dropFirst(Self.checkpointPrefix.count).prefix { $0.isNumber })
        {
            checkpointHold = n
        } else {
            operatorPaused = state == .paused
        }
    }

    /// After a restart: the current batch's end was journaled; it ended at `at` (monotonic).
    mutating func restoredBatchEnd(at: Date) {
        if case .batch(let b) = progress { progress = .between(b, endedAt: at) }
    }

    /// After a restart, or at activation: the daemon's account pause holds this plan too
    /// (rule 4.5). `operatorPaused`: whether an operator's pause holds it as well.
    mutating func heldByAccount(since now: Date, operatorPaused: Bool) {
        self.operatorPaused = operatorPaused
        accountPausedAt = now
    }

    /// The batch started last (-1 before the first).
    var currentBatch: Int {
        switch progress {
        case .notStarted: -1
        case .batch(let b), .between(let b, _), .finished(let b): b
        }
    }

    /// When the current batch ended (monotonic), once recorded.
    var batchEndedAt: Date? { if case .between(_, let at) = progress { at } else { nil } }

    var isPaused: Bool { operatorPaused || accountPausedAt != nil || checkpointHold != nil }
    /// The plan itself allows new reboot calls (the scheduler adds its own holds).
    /// The plan may send reboot calls and their batch-start reads: not paused, not stopped,
    /// not outside its window (SPEC §4.1: not even inside a started batch).
    var mayCall: Bool { !isPaused && stop == nil && state != .waitingWindow }
    var budgetExceeded: Bool { budget.isExceeded(failed: failed, total: total) }

    // MARK: Events

    /// The only assignment of the plan's state: a transition when it changes.
    private mutating func move(to new: PlanState, reason: String? = nil) -> PlanTransition? {
        guard new != state else { return nil }
        precondition(!state.isTerminal, "plan: \(new) after \(state)")
        defer { state = new }
        return PlanTransition(from: state, to: new, reason: reason)
    }

    /// The scheduler took the plan on (it was queued).
    mutating func activated() -> PlanTransition? { move(to: .running) }

    /// An instance failed. True when the budget is now exceeded and the plan not yet stopped:
    /// the caller halts it (rule 4.6).
    mutating func instanceFailed() -> Bool {
        failed += 1
        return stop == nil && budgetExceeded
    }

    /// Rule 4.6 (the failure budget, or a gate blocked past `gateTimeout` with its `reason`):
    /// no new calls, ever. False when the plan was already stopped.
    mutating func halt(reason: String? = nil) -> Bool {
        guard stop == nil else { return false }
        stop = .halt
        haltReason = reason
        return true
    }

    /// Rule 4.10: an operator's cancel. False when the plan was already stopped.
    mutating func cancel() -> Bool {
        guard stop == nil else { return false }
        stop = .cancel
        return true
    }

    /// An operator's pause; returns whether it was paused by an operator already.
    mutating func pause() -> (wasPaused: Bool, transition: PlanTransition?) {
        let was = operatorPaused
        operatorPaused = true
        return (was, move(to: .paused, reason: "paused by an operator"))
    }

    /// Rule 4.5: an account error pauses the plan. Nil when it was paused for it already.
    mutating func accountPaused(now: Date, reason: String) -> PlanTransition?? {
        guard accountPausedAt == nil else { return nil }
        accountPausedAt = now
        return .some(move(to: .paused, reason: reason))
    }

    /// Lifts an operator's and an account's pause, and, when `approving`, a checkpoint's (a
    /// resume of this plan; `resume --all` is not an approval). Returns whether it was paused
    /// and how long the account pause lasted (no deadline runs meanwhile, rule 4.5).
    mutating func resume(now: Date, approving: Bool = true) -> (wasPaused: Bool, accountPauseLasted: TimeInterval?) {
        let was = isPaused
        let lasted = accountPausedAt.map { now.timeIntervalSince($0) }
        operatorPaused = false
        accountPausedAt = nil
        if approving { checkpointHold = nil }
        return (was, lasted)
    }

    /// A blocked health gate holds the batch (SPEC §4.14): the plan waits for it.
    mutating func gateBlocked(reason: String) -> PlanTransition? { move(to: .waitingGate, reason: reason) }

    /// Batch `b` starts.
    mutating func batchStarted(_ b: Int) -> PlanTransition? {
        precondition(!isPaused && stop == nil, "plan: a batch started while paused or stopped")
        progress = .batch(b)
        waitReason = nil
        return move(to: .running, reason: state == .waitingWindow ? "batch \(b + 1) starts" : nil)
    }

    /// A dry run ends once its gates answered (or at once without gates).
    mutating func dryRunEnded(reason: String) -> PlanTransition {
        progress = .finished(lastBatch: currentBatch)
        return move(to: stop?.planEndState ?? .succeeded, reason: reason) ?? PlanTransition(from: state, to: state, reason: reason)
    }

    // MARK: The step

    /// The plan's step (what the scheduler's pump asks of every plan): while its batch is open it
    /// only says whether it runs or is paused; after, it records the batch's end, ends the plan
    /// (halted, cancelled, or every batch done), or decides what the next batch waits for: a
    /// pause, `startAfter`, the window (SPEC §4.1, §4.13), then its gates (SPEC §4.14).
    mutating func step(_ f: PlanStepFacts) -> [PlanAction] {
        guard !state.isTerminal else { return [] }
        var out: [PlanAction] = []
        func enter(_ t: PlanTransition?) { if let t { out.append(.enter(t)) } }
        if f.batchOpen {
            if isPaused {
                out.append(.wake(at: nil))
                enter(move(to: .paused))
            } else if let window = f.window, !window.open {
                // SPEC §4.1: the window closed inside the batch. Calls (first ones, 409 re-calls,
                // in-doubt re-sends) wait for the next opening; polling goes on.
                out.append(.wake(at: Self.windowWake(window, now: f.now)))
                if state != .waitingWindow { windowHeldSince = f.now }
                out += waitFor(Self.outsideWindow(window))
            } else {
                out.append(.wake(at: nil))
                let held = windowHeldSince.map { f.now.timeIntervalSince($0) }
                windowHeldSince = nil
                enter(leaveWaiting())
                if let held { out.append(.windowReopened(closedFor: held)) }
            }
            return out
        }
        if case .batch(let b) = progress {
            progress = .between(b, endedAt: f.now)
            out.append(.batchFinished(b, state: state))
            // SPEC §2 `checkpoints`: a person approves the next batch (`rebootctl resume`). The
            // pause is an operator's, journaled with the batch's end: it holds across a restart.
            if f.checkpointAfter(b), b + 1 < f.batchCount, stop == nil, !budgetExceeded {
                checkpointHold = b + 1
                let reason = "\(Self.checkpointPrefix)\(b + 1)/\(f.batchCount): approve the next with rebootctl resume"
                // Journaled and announced even when something else paused the plan already.
                out.append(.checkpoint(move(to: .paused, reason: reason) ?? PlanTransition(from: state, to: state, reason: reason)))
            }
        }
        // A plan over its failure budget never ends `succeeded` (rule 4.6), whatever restored it.
        if stop == nil && budgetExceeded {
            _ = halt()
            out.append(.halt(state: state))
        }
        if let stop {
            let reason =
                stop == .cancel
                ? "cancelled by an operator"
                : haltReason ?? "failure budget exceeded: \(failed) failed, \(budget) allowed"
            out.append(.finish(end(stop.planEndState, reason: reason)))
            return out
        }
        let next = currentBatch + 1
        // `zones: one-at-a-time`: a zone whose instances did not all come back Running (a
        // reboot timed out, a call in doubt) still has a host down; the next zone would make two.
        if next < f.batchCount, let hold = f.zoneHold(next) {
            _ = halt(reason: hold)
            out.append(.haltForZone(reason: hold, state: state))
            out.append(.finish(end(.failed, reason: hold)))
            return out
        }
        if next >= f.batchCount {
            // The journal keeps a reason until another replaces it: say why it succeeded.
            let c = f.endCounts()
            return out + [.finish(end(.succeeded, reason: "\(c.rebooted) rebooted, \(failed) failed (\(budget) allowed), \(c.skipped) skipped"))]
        }
        if isPaused {
            // A paused plan checks nothing; after the resume, its gates are checked afresh.
            out += [.wake(at: nil), .dropGateWait]
            enter(move(to: .paused))
            return out
        }
        var earliest = f.now
        if let after = f.startAfter { earliest = max(earliest, after) }
        if let ended = batchEndedAt { earliest = max(earliest, ended + f.pauseBetweenBatches) }
        let closed = f.window.flatMap { $0.open ? nil : $0 }
        if f.now < earliest {
            // A wall-clock step moves `startAfter`: look again at least once a minute.
            out += [.dropGateWait, .wake(at: min(earliest, f.now + 60))]
            if f.startAfter != nil {
                out += waitFor("waiting for startAfter")
            } else if let closed {
                // The pause runs out of the window: the plan says it waits for the window.
                out += waitFor(Self.outsideWindow(closed))
            } else {
                enter(leaveWaiting())
            }
            return out
        }
        if let closed {
            out += [.wake(at: Self.windowWake(closed, now: f.now)), .dropGateWait]
            out += waitFor(Self.outsideWindow(closed))
            return out
        }
        out.append(.startBatch(next))
        return out
    }

    /// Enters (or stays in) `waiting-window` with `reason`: a transition, or a new reason alone.
    private mutating func waitFor(_ reason: String) -> [PlanAction] {
        defer { waitReason = reason }
        if let t = move(to: .waitingWindow, reason: reason) { return [.enter(t)] }
        return reason == waitReason ? [] : [.reason(reason)]
    }

    /// Back to `running` from a wait, saying why (the journal keeps a reason until another
    /// replaces it).
    private mutating func leaveWaiting() -> PlanTransition? {
        let from = state
        waitReason = nil
        return move(to: .running, reason: from == .waitingWindow ? "the window is open" : nil)
    }

    /// When to look at a closed window again: its opening, at least once a minute (a wall-clock
    /// step moves the opening).
    private static func windowWake(_ window: (open: Bool, nextOpening: Date?, openingText: String?, summary: String), now: Date) -> Date {
        min(max(window.nextOpening ?? now + 60, now + 0.001), now + 60)
    }

    /// The reason `status` shows while a window is closed, with its next opening.
    private static func outsideWindow(_ window: (open: Bool, nextOpening: Date?, openingText: String?, summary: String)) -> String {
        "outside window \(window.summary)" + (window.openingText.map { "; next opening \($0)" } ?? "; it never opens")
    }

    /// How a checkpoint's reason begins (restored after a restart).
    static let checkpointPrefix = "checkpoint after batch "
    /// How the reason of a halt at a zone's end begins (restored after a restart).
    static let zoneHaltPrefix = "zone "

    /// The plan's end: a transition that is always journaled.
    private mutating func end(_ state: PlanState, reason: String) -> PlanTransition {
        progress = .finished(lastBatch: currentBatch)
        return move(to: state, reason: reason) ?? PlanTransition(from: state, to: state, reason: reason)
    }
}
