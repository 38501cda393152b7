import BCC
import BCCSimulator
import Foundation
import XCTest

/// The simulator refuses bad requests as BCE does: status and code per failure.
final class SignatureVerifierTests: XCTestCase {
    let creds = BCECredentials(accessKeyId: "ak", secretAccessKey: "sk")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func signedHeaders(secret: String = "sk", at date: Date? = nil, expiring: Int = BCESigner.defaultExpirationSeconds) -> [String: String] {
        let when = date ?? now
        var headers = ["Host": "127.0.0.1:9", "x-bce-date": BCESigner.canonicalTime(when)]
        headers["Authorization"] = BCESigner(credentials: BCECredentials(accessKeyId: "ak", secretAccessKey: secret))
            .authorization(
                method: "GET", path: "/v2/instance", query: [("maxKeys", "10")], headers: headers,
                timestamp: when, expirationSeconds: expiring, signedHeaders: ["host", "x-bce-date"])
        return headers
    }

    func verify(_ headers: [String: String], path: String = "/v2/instance") -> SignatureVerifier.Refusal? {
        let fixed = now
        return SignatureVerifier(credentials: [creds], now: { fixed })
            .verify(method: "GET", path: path, query: [("maxKeys", "10")], headers: headers)
    }

    func testGoodSignatureVerifies() {
        XCTAssertNil(verify(signedHeaders()))
    }

    func testRefusals() {
        XCTAssertEqual(verify(signedHeaders(secret: "wrong"))?.code, "SignatureDoesNotMatch")
        XCTAssertEqual(verify(signedHeaders(secret: "wrong"))?.status, 400)
        XCTAssertEqual(verify(signedHeaders(), path: "/v2/instance/other")?.code, "SignatureDoesNotMatch")
        XCTAssertEqual(verify(signedHeaders(at: now - 1801))?.code, "RequestExpired")
        var unknown = signedHeaders()
        unknown["Authorization"] = unknown["Authorization"]!.replacingOccurrences(of: "bce-auth-v1/ak/", with: "bce-auth-v1/zz/")
        XCTAssertEqual(verify(unknown)?.code, "InvalidAccessKeyId")
        XCTAssertEqual(verify(unknown)?.status, 403)
        var garbled = signedHeaders()
        garbled["Authorization"] = "Bearer x"
        XCTAssertEqual(verify(garbled)?.code, "InvalidHTTPAuthHeader")
        garbled.removeValue(forKey: "Authorization")
        XCTAssertEqual(verify(garbled)?.status, 401)
    }

    /// SPEC §1: the expiry is the one the request was signed with (a reboot call's is short:
    /// it is the call's effect deadline), not a fixed half hour.
    func testTheSignedExpirationIsEnforced() {
        XCTAssertNil(verify(signedHeaders(at: now - 9, expiring: 10)))
        XCTAssertEqual(verify(signedHeaders(at: now - 11, expiring: 10))?.code, "RequestExpired")
        XCTAssertNil(verify(signedHeaders(at: now - 1000, expiring: 1800)))
    }

    func testSignedHeaderListInAnyOrderVerifies() {
        var headers = signedHeaders()
        headers["Authorization"] = headers["Authorization"]!.replacingOccurrences(of: "/host;x-bce-date/", with: "/x-bce-date;host/")
        XCTAssertNil(verify(headers))
    }

    func testQueryParsingKeepsKeysWithoutValues() {
        let pairs = SignatureVerifier.parseQuery("reboot&instanceIds=i-a%2Ci-b&x=")
        XCTAssertEqual(pairs.map(\.0), ["reboot", "instanceIds", "x"])
        XCTAssertEqual(pairs.map(\.1), [nil, "i-a,i-b", ""])
    }
}
