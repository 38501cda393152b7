/// An instance's state within a plan (SPEC §4).
public enum InstanceState: String, Sendable, Codable, CaseIterable {
    case pending, waiting, rebooting, rebooted, failed, skipped, cancelled

    public var isTerminal: Bool { self == .rebooted || self == .failed || self == .skipped || self == .cancelled }
}

extension InstanceState {
    /// The state as three bits (`InstanceRun` packs it with its flags).
    var code: UInt8 {
        switch self {
        case .pending: 0
        case .waiting: 1
        case .rebooting: 2
        case .rebooted: 3
        case .failed: 4
        case .skipped: 5
        case .cancelled: 6
        }
    }

    init(code: UInt8) {
        switch code {
        case 1: self = .waiting
        case 2: self = .rebooting
        case 3: self = .rebooted
        case 4: self = .failed
        case 5: self = .skipped
        case 6: self = .cancelled
        default: self = .pending
        }
    }
}
