import Foundation

/// A loopback HTTP/1.1 relay in front of bcc-sim that loses answers the way a dying keep-alive
/// connection does (issue 23 #8): while armed, a reboot call (a PUT) is passed on and answered
/// by the simulator, so it is applied, but the caller's connection is closed without a byte of
/// that answer. Every other request and answer is passed through unchanged, one connection to
/// the simulator per caller connection, so keep-alive reuse is the caller's own.
final class DroppingRelay: @unchecked Sendable {
    let port: Int
    private let upstreamPort: Int
    private let fd: Int32
    private let lock = NSLock()
    private var drops = 0
    private var armed = false

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = Self.loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// From now on, every reboot call's answer is lost.
    func arm() { lock.withLock { armed = true } }
    /// Reboot calls whose answer was lost so far.
    var dropped: Int { lock.withLock { drops } }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return addr
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { [self] in relay(client) }
        }
    }

    private func relay(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(client)
            close(upstream)
        }
        var addr = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return }
        var fromClient = MessageReader(fd: client)
        var fromUpstream = MessageReader(fd: upstream)
        while let request = fromClient.next() {
            guard write(upstream, request.bytes) else { return }
            guard let answer = fromUpstream.next() else { return }
            let isReboot = request.head.hasPrefix("PUT ") && request.head.split(separator: "\r\n").first?.contains("reboot") == true
            if isReboot, lock.withLock({ armed }) {
                lock.withLock { drops += 1 }
                return  // applied by the simulator; the caller's connection dies without a byte
            }
            guard write(client, answer.bytes) else { return }
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Reads HTTP/1.1 messages (a head, then Content-Length bytes of body) off one socket.
    private struct MessageReader {
        let fd: Int32
        var buffer: [UInt8] = []

        init(fd: Int32) { self.fd = fd }

        mutating func next() -> (head: String, bytes: [UInt8])? {
            var chunk = [UInt8](repeating: 0, count: 16384)
            while headEnd == nil {
                let n = read(fd, &chunk, chunk.count)
                guard n > 0 else { return nil }
                buffer += chunk[0..<n]
            }
            let end = headEnd!
            let head = String(decoding: buffer[..<end], as: UTF8.self)
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            while buffer.count < end + 4 + length {
                let n = read(fd, &chunk, chunk.count)
                guard n > 0 else { return nil }
                buffer += chunk[0..<n]
            }
            let message = Array(buffer[..<(end + 4 + length)])
            buffer.removeFirst(end + 4 + length)
            return (head, message)
        }

        private var headEnd: Int? {
            guard buffer.count >= 4 else { return nil }
            for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
            return nil
        }
    }
}
