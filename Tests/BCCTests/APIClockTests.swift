import Foundation
import XCTest

@testable import BCC

/// SPEC §1: reboot calls expire `ceil(requestTimeout) + 5` s after their send, on the API's
/// clock; the client learns that clock from the `Date` header and signs on it.
final class APIClockTests: XCTestCase {
    /// Answers every request with a fixed `Date` header and keeps the requests it saw.
    final class DatedTransport: HTTPTransport, @unchecked Sendable {
        let date: String
        private let lock = NSLock()
        private(set) var seen: [HTTPRequestSpec] = []
        init(date: String) { self.date = date }
        func send(
            _ request: HTTPRequestSpec, deadline: TimeInterval,
            completion: @escaping @Sendable (Result<HTTPResponseData, TransportFailure>) -> Void
        ) {
            lock.withLock { seen.append(request) }
            completion(.success(HTTPResponseData(status: 200, headers: ["date": date, "x-bce-request-id": "r"], body: Data())))
        }
    }

    /// The review's case: the API's time is carried on the monotonic clock, so a wall-clock step
    /// after the last answer does not move what the next request is signed with.
    func testAWallClockStepAfterAnAnswerDoesNotMoveTheSignature() {
        final class Monotonic: @unchecked Sendable { var seconds: TimeInterval = 1000 }
        let mono = Monotonic()
        let clock = APIClock(monotonic: { mono.seconds })
        let host = Date(timeIntervalSince1970: 1_796_600_000)
        XCTAssertEqual(clock.now(hostNow: host), host, "before any answer: the host's clock")
        clock.observe(dateHeader: "Sun, 06 Dec 2026 23:42:49 GMT")
        mono.seconds += 2
        XCTAssertEqual(
            clock.now(hostNow: host - 3600).timeIntervalSince1970, 1_796_600_569 + 0.5 + 2, accuracy: 0.001,
            "the host stepped back an hour: the API's time still runs from its answer")
    }

    func testTheIMFFixdateParses() {
        XCTAssertEqual(APIClock.parseIMFFixdate("Sun, 06 Dec 2026 23:42:49 GMT"), 1_796_600_569)
        XCTAssertNil(APIClock.parseIMFFixdate("Sunday, 06-Dec-26 23:42:49 GMT"))
        XCTAssertNil(APIClock.parseIMFFixdate("Sun, 06 Foo 2026 23:42:49 GMT"))
        XCTAssertNil(APIClock.parseIMFFixdate(""))
    }

    func testRebootCallsAreSignedToExpireShortlyOnTheAPIsClock() throws {
        // This host's clock runs 600 s behind the API's (a wall-clock step back, say).
        let apiNow = Date(timeIntervalSince1970: 1_796_600_569)
        let local = apiNow - 600
        let transport = DatedTransport(date: "Sun, 06 Dec 2026 23:42:49 GMT")
        let client = BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"),
            credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: "sk"),
            transport: transport, requestTimeout: 2.5, now: { local })
        let done = expectation(description: "two answers")
        done.expectedFulfillmentCount = 2
        client.describe("i-1") { _ in done.fulfill() }
        client.reboot("i-1", forceStop: false) { _ in done.fulfill() }
        wait(for: [done], timeout: 5)
        let requests = transport.seen
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0].headers["x-bce-date"], "2026-12-06T23:32:49Z", "before any answer: this host's clock")
        let auth = try XCTUnwrap(requests[1].headers["Authorization"]).split(separator: "/")
        XCTAssertEqual(String(auth[2]), "2026-12-06T23:42:49Z", "after an answer: the API's clock")
        XCTAssertEqual(String(auth[3]), "8", "a reboot expires ceil(2.5) + 5 s after it was signed, not 1800")
        XCTAssertEqual(BCCClient.rebootExpirationSeconds(requestTimeout: 10), 15)
    }
}
