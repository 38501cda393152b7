/// An instance's state within a plan (SPEC §4).
public enum InstanceState: String, Sendable, Codable, CaseIterable {
    case pending, waiting, rebooting, rebooted, failed, skipped, cancelled

    public var isTerminal: Bool { self == .rebooted || self == .failed || self == .skipped || self == .cancelled }
}

/// A plan's state (SPEC §4).
public enum PlanState: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case paused
    case waitingWindow = "waiting-window"
    case succeeded, failed, cancelled

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}
