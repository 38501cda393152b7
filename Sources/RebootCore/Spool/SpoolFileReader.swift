import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `fstat` said about an opened file: enough to tell whether it changed, and who owns it.
public struct FileSnapshot: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let mtimeNs: Int64
    public let ctimeNs: Int64
    public let uid: UInt32
    public let links: UInt64
    public let type: mode_t

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mtimeNs = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        ctimeNs = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        uid = UInt32(info.st_uid)
        links = UInt64(info.st_nlink)
        type = info.st_mode & S_IFMT
    }

    /// The modification time, for a control file's "requested at".
    public var modified: Date { Date(timeIntervalSince1970: TimeInterval(mtimeNs) / 1e9) }
}

/// Reads spool files as SPEC §3 says: opened without following links and without blocking,
/// relative to a directory descriptor; the open descriptor is checked (a regular file, one link,
/// at most `limit` bytes), and at most `limit + 1` bytes are ever read.
public enum SpoolFileReader {
    public enum Outcome: Sendable {
        case read(Data, FileSnapshot)
        /// Something is wrong with the file itself: reject it with this reason.
        case refused(String)
        /// The name is gone (moved or removed meanwhile): nothing to do.
        case gone
    }

    /// Opens `name` relative to `directory` (a descriptor, or `AT_FDCWD` for a path) and reads it.
    public static func read(_ name: String, in directory: Int32 = AT_FDCWD, limit: Int = Plan.maxFileSize) -> Outcome {
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: return .gone
            case ELOOP: return .refused("is a symbolic link; place the plan file itself")
            default: return .refused("cannot be read: \(String(cString: strerror(errno)))")
            }
        }
        defer { close(fd) }
        let snapshot: FileSnapshot
        switch check(fd, limit: limit) {
        case .failure(let reason): return .refused(reason.message)
        case .success(let s): snapshot = s
        }
        var data = Data()
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while data.count <= limit {
            let want = min(chunk, limit + 1 - data.count)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if n < 0 {
                if errno == EINTR { continue }
                return .refused("cannot be read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        guard data.count <= limit else { return .refused("grew past 16 MiB while being read; a plan may be at most 16 MiB") }
        return .read(data, snapshot)
    }

    public struct Refusal: Error, Sendable { public let message: String }

    /// `fstat` on an open descriptor: a regular file with one link, at most `limit` bytes.
    static func check(_ fd: Int32, limit: Int) -> Result<FileSnapshot, Refusal> {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Refusal(message: "cannot be examined: \(String(cString: strerror(errno)))")) }
        let s = FileSnapshot(info)
        switch s.type {
        case S_IFREG: break
        case S_IFDIR: return .failure(Refusal(message: "is a directory, not a plan file"))
        case S_IFIFO: return .failure(Refusal(message: "is a FIFO, not a regular file"))
        default: return .failure(Refusal(message: "is not a regular file"))
        }
        guard s.links == 1 else {
            return .failure(Refusal(message: "has \(s.links) hard links; a plan file must have exactly one (write it, then rename it into place)"))
        }
        guard s.size <= Int64(limit) else { return .failure(Refusal(message: "is \(s.size) bytes; a plan may be at most 16 MiB")) }
        return .success(s)
    }

    /// Opens an empty file (a control file) the same way and returns what `fstat` says of it.
    public static func examine(_ name: String, in directory: Int32) -> Result<FileSnapshot, Refusal>? {
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            return .failure(Refusal(message: errno == ELOOP ? "is a symbolic link" : "cannot be opened: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        return check(fd, limit: 4096)
    }
}
