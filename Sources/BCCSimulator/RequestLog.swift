import Foundation

/// The simulator's JSON-lines log: one line per answered request, written in order.
public final class RequestLog: @unchecked Sendable {
    /// One line of the log.
    public struct Entry: Codable, Sendable {
        public var start: Double
        public var end: Double
        public var method: String
        public var path: String
        public var call: String
        public var ids: [String]
        public var status: Int
        public var code: String?
        public var signatureVerified: Bool
        /// Statuses before the call (reboot), or as answered (describe).
        public var before: [String: String]
        public var after: [String: String]
        /// A list call's selection filters as asked (`zoneName`, `tags`, `deploySetIds`,
        /// `instanceNames`, `fuzzyInstanceName`, `status`); absent when it had none.
        public var filters: [String: String]? = nil
    }

    private let lock = NSLock()
    private let handle: FileHandle?
    private let encoder = JSONEncoder()

    public init(path: String?) throws {
        if let path {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
            handle = h
        } else {
            handle = nil
        }
        encoder.outputFormatting = [.sortedKeys]
    }

    public func write(_ entry: Entry) {
        guard let handle, var data = try? encoder.encode(entry) else { return }
        data.append(0x0A)
        lock.lock()
        handle.write(data)
        lock.unlock()
    }

    /// Reads a log back (tests and the bench judge from it).
    public static func read(path: String) throws -> [Entry] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        return try data.split(separator: 0x0A).map { try decoder.decode(Entry.self, from: Data($0)) }
    }
}
