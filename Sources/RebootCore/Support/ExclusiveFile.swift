import Foundation

/// Writes a file into a shared, group-writable directory (the spool's `incoming/`) the safe
/// way (SPEC §3): a hidden temporary file under an unpredictable name, created exclusively
/// (`O_CREAT|O_EXCL|O_NOFOLLOW`, so a file or symlink planted at that name is never opened,
/// let alone followed), mode 0640 whatever the umask, written whole and fsynced, then renamed
/// into place. The daemon never reads a name starting with `.`, so it never sees a prefix.
public enum ExclusiveFile {
    /// Why the file could not be placed; `errno` as the system gave it.
    public struct Failure: Error, CustomStringConvertible {
        public let step: String
        public let errno: Int32
        public var description: String { "\(step): \(String(cString: strerror(errno)))" }
    }

    /// `.submit-{16 random hex digits}.tmp`: hidden from the daemon, not guessable in advance.
    public static func temporaryName() -> String {
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return ".submit-" + String(repeating: "0", count: 16 - hex.count) + hex + ".tmp"
    }

    /// Creates `directory/name` exclusively and writes `data` into it, fsynced. Fails (EEXIST,
    /// ELOOP) when anything, a symlink included, is already there.
    public static func create(directory: String, name: String, data: Data, mode: mode_t = 0o640) throws(Failure) {
        let path = directory + "/" + name
        let fd = open(path, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(step: "cannot create \(path)", errno: errno) }
        var failure: Failure?
        // The umask must not take the group's read bit away: the daemon reads through the group.
        if fchmod(fd, mode) != 0 { failure = Failure(step: "cannot set the mode of \(path)", errno: errno) }
        if failure == nil {
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = Failure(step: "cannot write \(path)", errno: errno)
                        return
                    }
                    offset += n
                }
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = Failure(step: "cannot fsync \(path)", errno: errno) }
        if close(fd) != 0 && failure == nil { failure = Failure(step: "cannot close \(path)", errno: errno) }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Places `data` as `directory/finalName`: exclusively created under `temporaryName()` (a
    /// few fresh names are tried if one is taken), then renamed. Refuses to replace an existing
    /// `finalName`.
    public static func place(_ data: Data, directory: String, finalName: String, mode: mode_t = 0o640) throws(Failure) {
        let target = directory + "/" + finalName
        var info = stat()
        if lstat(target, &info) == 0 { throw Failure(step: "\(target) already exists and has not been picked up yet", errno: EEXIST) }
        var lastFailure = Failure(step: "cannot create a temporary file in \(directory)", errno: EEXIST)
        for _ in 0..<5 {
            let temp = temporaryName()
            do {
                try create(directory: directory, name: temp, data: data, mode: mode)
            } catch {
                lastFailure = error
                if error.errno == EEXIST || error.errno == ELOOP { continue }
                throw error
            }
            guard rename(directory + "/" + temp, target) == 0 else {
                let failure = Failure(step: "cannot rename into \(target)", errno: errno)
                unlink(directory + "/" + temp)
                throw failure
            }
            let dirFd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dirFd >= 0 {
                _ = fsync(dirFd)
                close(dirFd)
            }
            return
        }
        throw lastFailure
    }
}
