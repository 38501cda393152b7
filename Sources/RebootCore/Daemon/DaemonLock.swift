import Foundation

/// SPEC §4.12: one daemon per journal and per spool. An exclusive `flock` on a lock file,
/// held for the life of the process (the kernel drops it when the process dies, even on
/// `kill -9`). The holder writes its pid into the file so that a second daemon can name it.
public final class DaemonLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Why a lock could not be taken.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let path: String
        /// The holder's pid, when it could be read.
        public let holderPid: Int32?
        public let reason: String

        public var description: String {
            if let holderPid { return "another rebootd (pid \(holderPid)) holds \(path); not touching the journal or the spool" }
            return "cannot lock \(path): \(reason)"
        }
    }

    /// `path` with every symlink resolved (SPEC §4.12): two configs that reach one journal or
    /// one spool by different names must take the same lock. A path that does not exist yet
    /// is resolved through its directory.
    public static func realPath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard let resolved = realpath(directory, nil) else { return path }
        defer { free(resolved) }
        return (String(cString: resolved) as NSString).appendingPathComponent(url.lastPathComponent)
    }

    /// Takes the lock without waiting, or throws naming the holder.
    public init(path: String) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw Failure(path: path, holderPid: nil, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let err = errno
            let holder = Self.readPid(fd)
            close(fd)
            throw Failure(path: path, holderPid: err == EWOULDBLOCK ? holder ?? 0 : nil, reason: String(cString: strerror(err)))
        }
        self.fd = fd
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Whether a rebootd holds the lock at `path` now: true or false (false too when there is
    /// no lock file: no daemon ever ran there), or nil when there is no permission to look.
    /// It looks in `/proc/locks` and never takes the lock itself: a probe that held it even
    /// for a moment could make a daemon starting then exit as a second one.
    /// A lock is matched by the file's inode and the pid the holder wrote into it, not by the
    /// device number (which `stat` and `/proc/locks` give differently on btrfs), and whatever
    /// the lock type shows as (NFS shows a flock as POSIX).
    public static func isHeld(path: String) -> Bool? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT ? false : nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
        guard let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF": PID, then MAJOR:MINOR:INODE.
        let inode = String(UInt64(info.st_ino))
        return locks.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 5, fields[4] == "\(pid)" else { return false }
            return fields[5].split(separator: ":").last.map(String.init) == inode
        }
    }

    /// Whether a rebootd runs on this spool (see `isHeld`).
    public static func daemonRuns(spoolDir: String) -> Bool? { isHeld(path: realPath(spoolDir) + "/.rebootd.lock") }

    static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
