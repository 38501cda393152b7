import Foundation

/// One reboot call: committed before it is sent, its outcome after.
public struct AttemptRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var planId: String
    public var instanceId: String
    public var attempt: Int
    public var kind: String
    public var sentAt: String
    public var finishedAt: String?
    public var httpStatus: Int?
    public var errorCode: String?
    public var message: String?
    public var requestId: String?
    public var outcome: String?
    /// The send on the boot's clock (`CLOCK_BOOTTIME`, ns) and that boot's id (SPEC §4.8): how
    /// long ago it was sent, across a restart, without the wall clock. Nil in rows older than v5.
    public var sentBoottimeNs: Int64?
    public var bootId: String?
    /// When the call stops being able to take effect (wall time): the send plus its signature's
    /// expiry (SPEC §1).
    public var effectDeadline: String?

    /// The boot stamp of the send, when the row has one.
    public var sentBoot: BootStamp? {
        guard let ns = sentBoottimeNs, let id = bootId else { return nil }
        return BootStamp(nanoseconds: ns, bootId: id)
    }
}
