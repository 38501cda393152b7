/// A plan's state (SPEC §4).
public enum PlanState: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case paused
    case waitingWindow = "waiting-window"
    case waitingGate = "waiting-gate"
    case succeeded, failed, cancelled

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
