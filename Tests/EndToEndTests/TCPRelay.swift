import Foundation

/// A loopback TCP relay that stands for the network between one rebootd and PostgreSQL, so a
/// test can cut it: `cut()` ends every connection and refuses new ones on the same port, as a
/// partition with a refusing firewall does; `restore()` lets connections through again.
final class TCPRelay: @unchecked Sendable {
    let port: Int
    private let upstreamPort: Int
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var open: [Int32] = []

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = try Self.listen(port: 0)
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        start(fd)
    }

    /// Ends every relayed connection and refuses new ones.
    func cut() {
        lock.withLock {
            for fd in open + [listener] { shutdown(fd, Int32(SHUT_RDWR)) }
            close(listener)
            listener = -1
            open.removeAll()
        }
    }

    /// Lets connections through again, on the same port.
    func restore() throws { start(try Self.listen(port: port)) }

    deinit { cut() }

    private func start(_ fd: Int32) {
        lock.withLock { listener = fd }
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                relay(client)
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return addr
    }

    private static func listen(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = loopback(port: port)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && Glibc.listen(fd, 64) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return fd
    }

    private func relay(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(client)
            close(upstream)
            return
        }
        lock.withLock { open += [client, upstream] }
        Thread.detachNewThread { [self] in pump(from: client, to: upstream) }
        Thread.detachNewThread { [self] in pump(from: upstream, to: client) }
    }

    private func pump(from source: Int32, to sink: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(source, &buffer, buffer.count)
            guard n > 0 else { break }
            var sent = 0
            while sent < n {
                let w = buffer[sent..<n].withUnsafeBytes { Glibc.write(sink, $0.baseAddress, $0.count) }
                guard w > 0 else { break }
                sent += w
            }
            guard sent == n else { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(sink, Int32(SHUT_RDWR))
    }
}
