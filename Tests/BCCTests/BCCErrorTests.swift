import BCC
import XCTest

/// Classification decides by HTTP status; codes only refine it.
final class BCCErrorTests: XCTestCase {
    func testClassification() {
        XCTAssertEqual(BCCError.classify(httpStatus: 409, code: "Instance.RebootInstanceOperationForbidden"), .conflict)
        XCTAssertEqual(BCCError.classify(httpStatus: 429, code: "Whatever"), .throttled)
        XCTAssertEqual(BCCError.classify(httpStatus: 400, code: "RequestLimitExceeded"), .throttled)
        XCTAssertEqual(BCCError.classify(httpStatus: 400, code: "Instance.ThrottlingException"), .throttled)
        XCTAssertEqual(BCCError.classify(httpStatus: 500, code: "InternalError"), .transient)
        XCTAssertEqual(BCCError.classify(httpStatus: 503, code: "RequestLimitExceeded"), .transient)
        XCTAssertEqual(BCCError.classify(httpStatus: nil, code: "Timeout"), .transient)
        XCTAssertEqual(BCCError.classify(httpStatus: 404, code: "NoSuchObject"), .instanceFatal)
        XCTAssertEqual(BCCError.classify(httpStatus: 400, code: "MalformedJSON"), .instanceFatal)
        XCTAssertEqual(BCCError.classify(httpStatus: 400, code: "SignatureDoesNotMatch"), .accountFatal)
        XCTAssertEqual(BCCError.classify(httpStatus: 400, code: "RequestExpired"), .accountFatal)
        XCTAssertEqual(BCCError.classify(httpStatus: 403, code: "InvalidAccessKeyId"), .accountFatal)
        XCTAssertEqual(BCCError.classify(httpStatus: 403, code: "AccessDenied"), .accountFatal)
        XCTAssertEqual(BCCError.classify(httpStatus: 401, code: ""), .accountFatal)
    }

    func testTimeoutOfMutatingCallIsInDoubt() {
        XCTAssertTrue(BCCError.timeout(seconds: 1, mutating: true).inDoubt)
        XCTAssertFalse(BCCError.timeout(seconds: 1, mutating: false).inDoubt)
        XCTAssertFalse(BCCError.connectionFailed("refused").inDoubt)
    }

    func testEndpointRules() throws {
        XCTAssertNoThrow(try BCCEndpoint("https://bcc.bj.baidubce.com"))
        XCTAssertNoThrow(try BCCEndpoint("http://127.0.0.1:8421"))
        XCTAssertNoThrow(try BCCEndpoint("http://localhost:1"))
        XCTAssertThrowsError(try BCCEndpoint("http://bcc.bj.baidubce.com"))
        XCTAssertThrowsError(try BCCEndpoint("http://10.0.0.1:80"))
        XCTAssertThrowsError(try BCCEndpoint("ftp://x"))
        XCTAssertEqual(try BCCEndpoint("http://127.0.0.1:8421").hostHeader, "127.0.0.1:8421")
        XCTAssertEqual(try BCCEndpoint("https://bcc.bj.baidubce.com:443").hostHeader, "bcc.bj.baidubce.com")
    }
}
