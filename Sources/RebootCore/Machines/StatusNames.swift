import Foundation

/// The instance statuses the daemon has read, numbered, so that an `InstanceRun` keeps its last
/// status in one byte instead of a 16-byte string (issue 10: 100,000 instances in 64 MiB).
/// Code 0 is "none". BCE has a few dozen statuses, each a short word; the first 254 distinct
/// texts of at most 64 bytes keep their code for the process's life. Any other one is recorded
/// as `overflow`: the last status is informational only (the rules read each poll's own
/// answer), and a hostile endpoint must not grow this table without bound.
final class StatusNames: @unchecked Sendable {
    static let shared = StatusNames()
    /// What an instance's last status reads as once the table is full.
    static let overflow = "(one of more than 254 distinct statuses)"
    static let capacity = 254
    /// The longest text numbered, in UTF-8 bytes.
    static let longest = 64

    private let lock = NSLock()
    private var names: [String] = []
    private var codes: [String: UInt8] = [:]

    init() {}

    /// The code of `name` (0 for nil), numbering it if it is new.
    func code(_ name: String?) -> UInt8 {
        guard let name else { return 0 }
        lock.lock()
        defer { lock.unlock() }
        if let code = codes[name] { return code }
        guard names.count < Self.capacity, name.utf8.count <= Self.longest else { return UInt8(Self.capacity + 1) }
        names.append(name)
        let code = UInt8(names.count)
        codes[name] = code
        return code
    }

    /// The text of `code` (nil for 0).
    func name(_ code: UInt8) -> String? {
        guard code != 0 else { return nil }
        guard Int(code) <= Self.capacity else { return Self.overflow }
        lock.lock()
        defer { lock.unlock() }
        return names[Int(code) - 1]
    }
}
