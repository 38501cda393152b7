/// An instance's state within a plan (SPEC §4).
public enum InstanceState: String, Sendable, Codable, CaseIterable {
    case pending, waiting, rebooting, rebooted, failed, skipped, cancelled

    public var isTerminal: Bool { self == .rebooted || self == .failed || self == .skipped || self == .cancelled }
}
