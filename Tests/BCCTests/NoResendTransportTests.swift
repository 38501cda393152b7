import Foundation
import XCTest

@testable import BCC

/// SPEC §4.8: the HTTP client must not send a request again by itself. libcurl re-sends a
/// request when a reused keep-alive connection dies before a byte of the answer (issue 23 #8:
/// six PUTs re-sent within a second, unseen by the daemon). Judged from what a loopback server
/// received: it answers GETs with keep-alive, and closes the connection of a PUT without a byte,
/// after counting it (as an API that applied the call and lost the answer would).
final class NoResendTransportTests: XCTestCase {
    /// A raw HTTP/1.1 server on a loopback port.
    final class DroppingServer: @unchecked Sendable {
        let fd: Int32
        let port: Int
        private let lock = NSLock()
        private var puts = 0
        private var connections = 0
        private var putsAfterOtherRequests = 0

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
                }
            }
            guard ok else {
                close(fd)
                throw POSIXError(.EADDRINUSE)
            }
            port = Int(UInt16(bigEndian: addr.sin_port))
            Thread.detachNewThread { [self] in acceptLoop() }
        }

        var putsReceived: Int { lock.withLock { puts } }
        /// PUTs that came on a connection that had carried requests before (a reused one).
        var putsOnReusedConnections: Int { lock.withLock { putsAfterOtherRequests } }
        var connectionsAccepted: Int { lock.withLock { connections } }

        private func acceptLoop() {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                lock.withLock { connections += 1 }
                Thread.detachNewThread { [self] in serve(client) }
            }
        }

        private func serve(_ client: Int32) {
            defer { close(client) }
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            var served = 0
            while true {
                // One request: its head, then Content-Length bytes of body.
                while !buffer.containsHeadEnd {
                    let n = read(client, &chunk, chunk.count)
                    guard n > 0 else { return }
                    buffer += chunk[0..<n]
                }
                let head = String(decoding: buffer.prefix(buffer.headEnd), as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while buffer.count < buffer.headEnd + 4 + length {
                    let n = read(client, &chunk, chunk.count)
                    guard n > 0 else { return }
                    buffer += chunk[0..<n]
                }
                buffer.removeFirst(buffer.headEnd + 4 + length)
                if head.hasPrefix("PUT ") {
                    lock.withLock {
                        puts += 1
                        if served > 0 { putsAfterOtherRequests += 1 }
                    }
                    // `drop` in the path: applied, and the connection dies without a byte of answer.
                    if head.split(separator: " ").dropFirst().first?.contains("drop") == true { return }
                }
                served += 1
                let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}".utf8)
                _ = write(client, answer, answer.count)
            }
        }

        func stop() {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func send(_ transport: HTTPTransport, _ method: String, _ url: URL) -> Result<HTTPResponseData, TransportFailure> {
        final class Box: @unchecked Sendable { var result: Result<HTTPResponseData, TransportFailure> = .failure(.lost("none")) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        transport.send(
            HTTPRequestSpec(
                method: method, url: url, headers: ["Content-Type": "application/json"],
                body: method == "PUT" ? Data("{\"forceStop\":false}".utf8) : nil), deadline: 5
        ) {
            box.result = $0
            done.signal()
        }
        done.wait()
        return box.result
    }

    func testTheCurlTransportSendsAChangeOnceEvenWhenAReusedConnectionDies() throws {
        let server = try DroppingServer()
        defer { server.stop() }
        let transport = URLSessionTransport(maxConnections: 1)
        let base = "http://127.0.0.1:\(server.port)"
        // Warm keep-alive connections with reads, as the daemon's polls do, and with an answered
        // change: a change must not take any of them, nor one another's.
        for _ in 0..<2 {
            guard case .success(let answer) = send(transport, "GET", URL(string: base + "/v2/instance")!) else { return XCTFail("the read failed") }
            XCTAssertEqual(answer.status, 200)
        }
        guard case .success = send(transport, "PUT", URL(string: base + "/v2/instance/i-0?reboot")!) else {
            return XCTFail("the first change failed")
        }
        let result = send(transport, "PUT", URL(string: base + "/v2/instance/drop-i-1?reboot")!)
        usleep(300_000)  // a re-send, if any, is made at once
        XCTAssertEqual(server.putsReceived, 2, "each reboot reached the API once, not again by libcurl")
        XCTAssertEqual(server.putsOnReusedConnections, 0, "each reboot went on a fresh connection, which libcurl never re-sends on")
        guard case .failure(.lost) = result else { return XCTFail("a change whose answer never came is lost (in doubt), got \(result)") }
    }

    func testTheNIOTransportSendsAChangeOnceEvenWhenAReusedConnectionDies() throws {
        let server = try DroppingServer()
        defer { server.stop() }
        let transport = try AsyncHTTPClientTransport(maxConnections: 1, caFile: nil, proxy: nil)
        let base = "http://127.0.0.1:\(server.port)"
        for _ in 0..<2 {
            guard case .success = send(transport, "GET", URL(string: base + "/v2/instance")!) else { return XCTFail("the read failed") }
        }
        let result = send(transport, "PUT", URL(string: base + "/v2/instance/drop-i-1?reboot")!)
        guard case .failure(.lost) = result else { return XCTFail("a change whose answer never came is lost (in doubt), got \(result)") }
        usleep(300_000)
        XCTAssertEqual(server.putsReceived, 1, "AsyncHTTPClient does not send it again")
    }
}

extension Array where Element == UInt8 {
    /// The index of the blank line ending an HTTP head (`\r\n\r\n`), or `count`.
    fileprivate var headEnd: Int {
        guard count >= 4 else { return count }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return i }
        return count
    }
    fileprivate var containsHeadEnd: Bool { headEnd < count }
}
