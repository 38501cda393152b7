import BCC
import XCTest

/// The canonicalisation rules, one at a time, so a regression names the rule it broke.
final class CanonicalRequestTests: XCTestCase {
    func testEncodingKeepsOnlyUnreservedCharacters() {
        XCTAssertEqual(URIEncoding.encode("a-b_c.d~e"), "a-b_c.d~e")
        XCTAssertEqual(URIEncoding.encode("a b/c*d,e"), "a%20b%2Fc%2Ad%2Ce")
        XCTAssertEqual(URIEncoding.encode("/v2/a b", keepSlash: true), "/v2/a%20b")
        XCTAssertEqual(URIEncoding.encode("é"), "%C3%A9")
        XCTAssertEqual(URIEncoding.decode("a%20b%2Fc"), "a b/c")
    }

    func testQueryKeyWithoutValueSortsAndExcludesAuthorization() {
        let canonical = BCESigner.canonicalRequest(
            method: "put", path: "/v2/instance/i-1", query: [("reboot", nil), ("b", "2"), ("authorization", "x")],
            headers: [:], signedHeaders: [])
        XCTAssertEqual(canonical, "PUT\n/v2/instance/i-1\nb=2&reboot=\n")
    }

    func testHeadersAreLowercasedTrimmedSortedAndEmptyOnesSkipped() {
        let canonical = BCESigner.canonicalRequest(
            method: "GET", path: "/", query: [],
            headers: ["X-Bce-Date": " 2026-11-27T12:00:00Z ", "Host": "h:1", "X-Bce-Empty": "  ", "Other": "o"],
            signedHeaders: nil)
        XCTAssertEqual(canonical, "GET\n/\n\nhost:h%3A1\nx-bce-date:2026-11-27T12%3A00%3A00Z")
    }

    func testExplicitListSignsOnlyListedHeaders() {
        let canonical = BCESigner.canonicalRequest(
            method: "GET", path: "/", query: [], headers: ["Host": "h", "x-bce-date": "d", "Content-Type": "t"],
            signedHeaders: ["host"])
        XCTAssertEqual(canonical, "GET\n/\n\nhost:h")
    }

    func testCanonicalTime() {
        XCTAssertEqual(BCESigner.canonicalTime(Date(timeIntervalSince1970: 1_439_266_649.9)), "2015-08-11T04:17:29Z")
        XCTAssertEqual(BCESigner.parseCanonicalTime("2015-08-11T04:17:29Z")?.timeIntervalSince1970, 1_439_266_649)
    }

    func testCredentialsNeverPrintTheSecret() {
        let c = BCECredentials(accessKeyId: "ak", secretAccessKey: "very-secret")
        XCTAssertFalse("\(c)".contains("very-secret"))
        XCTAssertFalse(String(reflecting: c).contains("very-secret"))
    }
}

/// The hand-rolled formatting matches what String(format:) gave.
final class FastFormatTests: XCTestCase {
    func testHexAndPadding() {
        XCTAssertEqual(FastFormat.hex([0x00, 0x0f, 0xa5, 0xff]), "000fa5ff")
        XCTAssertEqual(FastFormat.padded(7, 2), "07")
        XCTAssertEqual(FastFormat.padded(2026, 4), "2026")
        XCTAssertEqual(FastFormat.padded(12345, 3), "12345")
        XCTAssertEqual(FastFormat.padded(0, 3), "000")
    }
}
