/// The lifecycle of one instance in a plan (SPEC §4, "Instance states"; rules 4.1, 4.3–4.8) as a
/// value: its phase, whether a reboot call is in flight, and the one table of transitions.
/// Every event is checked against the phase it starts from: an event the table refuses (a
/// reboot confirmed for an instance never called, a second call while one is in flight, any
/// change after the end) stops the process with `preconditionFailure` in debug, tests and
/// release alike: the journal holds what was committed, and the restart resolves the rest by
/// rule 4.8. `InstanceRun` stores the machine in a byte (issue 10's memory budget) and keeps
/// the data of the phases that need it (`InstanceActivity`).
struct InstanceMachine: Sendable, Equatable {
    /// Where the instance is. `inDoubt` and `unknowable` are journaled as `rebooting`.
    enum Phase: UInt8, CaseIterable, Sendable {
        /// Not called yet (or called, and the call never took effect): waits for its batch's
        /// status read and its call.
        case pending = 0
        /// Refused with 409, or read in a transitional status: waits for `Running` (rule 4.4).
        case waiting = 1
        /// The reboot was accepted (or seen to take effect): followed until `Running` (rule 4.3).
        case rebooting = 2
        case rebooted = 3
        case failed = 4
        case skipped = 5
        case cancelled = 6
        /// The call's outcome is unknown: its evidence is gathered (rule 4.8).
        case inDoubt = 7
        /// The call in doubt can no longer be resolved: never sent again, followed until
        /// `Running`, then `failed (in-doubt)` (rule 4.8).
        case unknowable = 8

        /// The state the journal and the operator see.
        var state: InstanceState {
            switch self {
            case .pending: .pending
            case .waiting: .waiting
            case .rebooting, .inDoubt, .unknowable: .rebooting
            case .rebooted: .rebooted
            case .failed: .failed
            case .skipped: .skipped
            case .cancelled: .cancelled
            }
        }

        var isTerminal: Bool { state.isTerminal }

        /// The phase a journaled state is restored to (a call in doubt is restored by its event).
        init(restoring state: InstanceState) {
            switch state {
            case .pending: self = .pending
            case .waiting: self = .waiting
            case .rebooting: self = .rebooting
            case .rebooted: self = .rebooted
            case .failed: self = .failed
            case .skipped: self = .skipped
            case .cancelled: self = .cancelled
            }
        }
    }

    /// What happened to the instance.
    enum Event: CaseIterable, Sendable {
        /// A reboot call was journaled and sent.
        case callSent
        /// Its answer: accepted (2xx), refused with 409, failed otherwise, or unknown.
        case callAccepted, callRefused409, callFailed, callInDoubt
        /// The batch-start read found a status that passes by itself (SPEC §4.1).
        case readNotRunning
        /// After a restart: an attempt without an outcome is in doubt.
        case restoredInDoubt
        /// Rule 4.8's verdicts on a call in doubt.
        case inDoubtApplied, inDoubtNotApplied, inDoubtUnknowable
        /// The ends: a reboot confirmed (rule 4.3), a failure, a skip, and what a halt or a
        /// cancel leaves behind (rules 4.6, 4.10).
        case rebootConfirmed, failed, skipped, leftByHalt, leftByCancel
    }

    private(set) var phase: Phase
    private(set) var inFlight: Bool

    init(phase: Phase = .pending, inFlight: Bool = false) {
        self.phase = phase
        self.inFlight = inFlight
    }

    /// The table: the phase `event` leads to from `phase` (with a call in flight or not), or
    /// nil when the event cannot happen there.
    static func target(of event: Event, from phase: Phase, inFlight: Bool) -> Phase? {
        switch (event, phase, inFlight) {
        // A call goes only to an instance that waits for one, never beside another.
        case (.callSent, .pending, false), (.callSent, .waiting, false): return phase
        // An answer comes only for a call in flight.
        case (.callAccepted, .pending, true), (.callAccepted, .waiting, true): return .rebooting
        case (.callRefused409, .pending, true), (.callRefused409, .waiting, true): return .waiting
        case (.callFailed, .pending, true), (.callFailed, .waiting, true): return phase
        case (.callInDoubt, .pending, true), (.callInDoubt, .waiting, true): return .inDoubt
        case (.readNotRunning, .pending, false): return .waiting
        case (.restoredInDoubt, .pending, false), (.restoredInDoubt, .waiting, false), (.restoredInDoubt, .rebooting, false):
            return .inDoubt
        case (.inDoubtApplied, .inDoubt, false): return .rebooting
        case (.inDoubtNotApplied, .inDoubt, false): return .pending
        // Rebooting: restored from a journal row that says the call could not be resolved.
        case (.inDoubtUnknowable, .inDoubt, false), (.inDoubtUnknowable, .rebooting, false): return .unknowable
        // Only a followed reboot is confirmed: never one that was not called, or is in doubt.
        case (.rebootConfirmed, .rebooting, false): return .rebooted
        case (.failed, .pending, false), (.failed, .waiting, false), (.failed, .rebooting, false), (.failed, .unknowable, false):
            return .failed
        case (.skipped, .pending, false), (.skipped, .waiting, false), (.skipped, .rebooting, false), (.skipped, .inDoubt, false),
            (.skipped, .unknowable, false):
            return .skipped
        // A stop leaves behind only what waits for a call; what is rebooting or in doubt is
        // followed to its outcome.
        case (.leftByHalt, .pending, false), (.leftByHalt, .waiting, false): return .skipped
        case (.leftByCancel, .pending, false), (.leftByCancel, .waiting, false): return .cancelled
        default: return nil
        }
    }

    /// Whether the table allows `event` now.
    func allows(_ event: Event) -> Bool { Self.target(of: event, from: phase, inFlight: inFlight) != nil }

    /// Applies `event`; an event the table refuses is a bug in the caller.
    mutating func handle(_ event: Event) {
        guard let next = Self.target(of: event, from: phase, inFlight: inFlight) else {
            preconditionFailure("instance: \(event) is not allowed in \(phase)\(inFlight ? " with a call in flight" : "")")
        }
        phase = next
        switch event {
        case .callSent: inFlight = true
        case .callAccepted, .callRefused409, .callFailed, .callInDoubt: inFlight = false
        default: break
        }
    }
}
