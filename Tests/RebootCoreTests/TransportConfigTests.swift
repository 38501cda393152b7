import Foundation
import XCTest

@testable import RebootCore

/// `httpClient` and `caFile` (SPEC §6): refused with the key named when they cannot work.
final class TransportConfigTests: XCTestCase {
    func problems(_ text: String) -> [ValidationProblem] {
        do {
            _ = try ConfigLoader.parse(text, file: "c.yaml")
            return []
        } catch { return error.problems }
    }

    func testHTTPClientIsNioByDefaultAndCurlOnRequest() throws {
        XCTAssertEqual(try ConfigLoader.parse("logLevel: info\n", file: "c.yaml").httpClient, .nio)
        XCTAssertEqual(try ConfigLoader.parse("httpClient: curl\n", file: "c.yaml").httpClient, .curl)
        XCTAssertEqual(problems("httpClient: urllib\n").map(\.path), ["httpClient"])
    }

    func testCAFileMustHoldAPEMCertificate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ca-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(problems("caFile: \(dir.path)/missing.pem\n").map(\.path), ["caFile"])
        let junk = dir.appendingPathComponent("junk.pem").path
        try "not a certificate\n".write(toFile: junk, atomically: true, encoding: .utf8)
        let junkProblems = problems("caFile: \(junk)\n")
        XCTAssertEqual(junkProblems.map(\.path), ["caFile"])
        XCTAssertTrue(junkProblems.first?.message.contains("PEM") == true, "\(junkProblems)")
    }

    func testCAFileWithTheCurlTransportIsRefusedNotIgnored() throws {
        // A real certificate: the system's own roots bundle holds many.
        let bundle = "/etc/ssl/certs/ca-certificates.crt"
        try RequiredTool.require(bundle, "the system CA bundle (ca-certificates)", executable: false)
        XCTAssertEqual(try ConfigLoader.parse("caFile: \(bundle)\n", file: "c.yaml").caFile, bundle)
        let refused = problems("caFile: \(bundle)\nhttpClient: curl\n")
        XCTAssertEqual(refused.map(\.path), ["caFile"])
        XCTAssertTrue(refused.first?.message.contains("nio") == true, "\(refused)")
    }

    func testProxyMustBeAnHTTPProxyAndIsRefusedWithCurl() throws {
        XCTAssertEqual(try ConfigLoader.parse("proxy: http://proxy.internal:3128\n", file: "c.yaml").proxy, "http://proxy.internal:3128")
        XCTAssertEqual(problems("proxy: socks5://proxy:1080\n").map(\.path), ["proxy"])
        let refused = problems("proxy: http://proxy.internal:3128\nhttpClient: curl\n")
        XCTAssertEqual(refused.map(\.path), ["proxy"], "not silently ignored")
        XCTAssertTrue(refused.first?.message.contains("https_proxy") == true, "\(refused)")
    }
}
