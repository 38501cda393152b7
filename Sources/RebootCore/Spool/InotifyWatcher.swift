import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Watches directories with inotify (Linux has no file-system Dispatch source) and reports,
/// on `queue`, each batch of events: the directory, the name and what happened to it.
final class InotifyWatcher: @unchecked Sendable {
    enum Kind: Sendable, Equatable {
        /// Arrived by rename (`IN_MOVED_TO`): complete, read at once.
        case movedIn
        /// Created or written in place (`IN_CREATE`, `IN_CLOSE_WRITE`): read once settled.
        case written
        /// The kernel's queue overflowed (or the directory itself went): rescan everything.
        case overflow
    }

    struct Event: Sendable, Equatable {
        let directory: String
        let name: String
        let kind: Kind
    }

    private let fd: Int32
    private var source: DispatchSourceRead?
    private let lock = NSLock()
    private var watches: [Int32: String] = [:]

    static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)

    init?(directories: [String], queue: DispatchQueue, onEvents: @escaping @Sendable ([Event]) -> Void) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        for dir in directories { watch(dir) }
        let fd = self.fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { @Sendable [weak self] in
            guard let self else { return }
            var events: [Event] = []
            var buffer = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                while offset + 16 <= n {
                    let (wd, mask, len) = buffer.withUnsafeBytes {
                        (
                            $0.load(fromByteOffset: offset, as: Int32.self), $0.load(fromByteOffset: offset + 4, as: UInt32.self),
                            $0.load(fromByteOffset: offset + 12, as: UInt32.self)
                        )
                    }
                    let nameBytes = buffer[(offset + 16)..<min(n, offset + 16 + Int(len))].prefix { $0 != 0 }
                    let name = String(decoding: nameBytes, as: UTF8.self)
                    offset += 16 + Int(len)
                    let dir = self.directory(of: wd)
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 || mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                        events.append(Event(directory: dir ?? "", name: "", kind: .overflow))
                    } else if let dir, !name.isEmpty {
                        events.append(Event(directory: dir, name: name, kind: mask & UInt32(IN_MOVED_TO) != 0 ? .movedIn : .written))
                    }
                }
            }
            if !events.isEmpty { onEvents(events) }
        }
        source.setCancelHandler { close(fd) }
        source.resume()
        self.source = source
    }

    /// Adds (or renews, after the directory was recreated) a watch on `dir`.
    func watch(_ dir: String) {
        let wd = inotify_add_watch(fd, dir, Self.mask)
        guard wd >= 0 else { return }
        lock.lock()
        watches = watches.filter { $0.value != dir }
        watches[wd] = dir
        lock.unlock()
    }

    private func directory(of wd: Int32) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return watches[wd]
    }

    /// Stops watching; the descriptor is closed once the source has let go of it.
    func cancel() {
        source?.cancel()
        source = nil
    }
}
