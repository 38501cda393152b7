import Foundation
import RebootTesting
import XCTest

@testable import BCC

/// SPEC §4.2 (issue 23 #7): a listing that never ends is a failed call, never an endless loop,
/// and every page after the first waits for the caller's go-ahead (its rate-limiter token).
final class ListingLimitsTests: XCTestCase {
    private func client(_ transport: ScriptedTransport) throws -> BCCClient {
        BCCClient(
            endpoint: try BCCEndpoint("http://127.0.0.1:1"), credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: "sk"),
            transport: transport)
    }

    private func describe(_ client: BCCClient, pages: @escaping @Sendable () -> Void = {}) -> Result<[Instance], BCCError> {
        final class Box: @unchecked Sendable { var result: Result<[Instance], BCCError>? }
        let box = Box()
        client.describeMany(
            ["i-1"],
            nextPage: {
                pages()
                $0()
            },
            completion: { box.result = $0 })
        return box.result ?? .failure(.listingNeverEnds("no answer"))
    }

    func testAListingPastTwoHundredPagesFailsAndEveryLaterPageWaitedForItsToken() throws {
        let transport = ScriptedTransport.endlessListing([Instance(id: "i-1", status: .running)])
        final class Count: @unchecked Sendable { var value = 0 }
        let permits = Count()
        let result = describe(try client(transport)) { permits.value += 1 }
        guard case .failure(let error) = result else { return XCTFail("an endless listing must fail, got \(result)") }
        XCTAssertEqual(error.code, "ListingNeverEnds")
        XCTAssertTrue(error.message.contains("more than 200 pages"), error.message)
        XCTAssertEqual(transport.requests.count, 200)
        XCTAssertEqual(permits.value, 199, "every page after the first asked for a token")
    }

    func testARepeatedMarkerEndsTheListingAtOnce() throws {
        let transport = ScriptedTransport.endlessListing([Instance(id: "i-1", status: .running)], repeating: "same")
        let result = describe(try client(transport))
        guard case .failure(let error) = result else { return XCTFail("a repeating marker must fail, got \(result)") }
        XCTAssertTrue(error.message.contains("repeated"), error.message)
        XCTAssertEqual(transport.requests.count, 2, "the first page, and the one that named the same marker again")
    }
}
