import BCC
import Crypto
import Foundation

/// Who owns a file: uid and, where the system knows it, the user name.
public struct FileOwner: Sendable, Equatable, Codable {
    public let uid: UInt32
    public let name: String

    public init(uid: uid_t) {
        self.uid = UInt32(uid)
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, let entry = result {
            name = String(cString: entry.pointee.pw_name)
        } else {
            name = String(uid)
        }
    }

    public init(uid: UInt32, name: String) {
        self.uid = uid
        self.name = name
    }

    /// The owner of `path`, or nil when it cannot be stat'ed.
    public static func of(path: String) -> FileOwner? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileOwner(uid: info.st_uid)
    }
}
