import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches directories with inotify (Linux has no file-system Dispatch source) and calls
/// `onChange` with the directory that changed, on `queue`.
final class InotifyWatcher: @unchecked Sendable {
    private let fd: Int32
    private var source: DispatchSourceRead?
    private var watches: [Int32: String] = [:]

    init?(directories: [String], queue: DispatchQueue, onChange: @escaping @Sendable (String) -> Void) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        for dir in directories {
            let wd = inotify_add_watch(fd, dir, UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE))
            if wd >= 0 { watches[wd] = dir }
        }
        let watches = self.watches
        let fd = self.fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { @Sendable in
            var changed = Set<String>()
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                while offset + 16 <= n {
                    let wd = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset, as: Int32.self) }
                    let len = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 12, as: UInt32.self) }
                    if let dir = watches[wd] { changed.insert(dir) }
                    offset += 16 + Int(len)
                }
            }
            for dir in changed { onChange(dir) }
        }
        source.resume()
        self.source = source
    }

    func cancel() {
        source?.cancel()
        source = nil
        close(fd)
    }
}
