import Foundation
import XCTest

@testable import BCC

/// SPEC §4.16: a reboot call's `mayStillSend` is asked after the request is signed, and a no
/// sends nothing.
final class SendDeadlineClientTests: XCTestCase {
    final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var steps: [String] = []
        func add(_ s: String) { lock.withLock { steps.append(s) } }
        var all: [String] { lock.withLock { steps } }
    }

    func testMayStillSendIsAskedAfterTheSigningAndANoSendsNothing() throws {
        let transport = APIClockTests.DatedTransport(date: "Sun, 06 Dec 2026 23:42:49 GMT")
        let order = Order()
        let client = BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"), credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: "sk"),
            transport: transport, requestTimeout: 2,
            now: {
                order.add("clock read for the signature")
                return Date(timeIntervalSince1970: 1_796_600_569)
            })
        let refused = expectation(description: "not sent")
        let no: @Sendable () -> Bool = {
            order.add("asked")
            return false
        }
        client.reboot("i-1", forceStop: false, mayStillSend: no) { result in
            if case .failure(let error) = result { XCTAssertEqual(error.code, "NotSent") } else { XCTFail("sent: \(result)") }
            refused.fulfill()
        }
        wait(for: [refused], timeout: 5)
        XCTAssertEqual(order.all, ["clock read for the signature", "asked"])
        XCTAssertEqual(transport.seen.count, 0, "nothing reached the transport")
        XCTAssertFalse(BCCError.notSent.inDoubt, "certainly not applied")

        let sent = expectation(description: "sent")
        let yes: @Sendable () -> Bool = { true }
        client.reboot("i-1", forceStop: false, mayStillSend: yes) { _ in sent.fulfill() }
        wait(for: [sent], timeout: 5)
        XCTAssertEqual(transport.seen.count, 1)
    }
}
