import BCC
import Foundation
import XCTest

/// Every signature computed by Baidu's official SDK signer must be reproduced exactly.
final class BCESignerVectorTests: XCTestCase {
    struct Vector {
        let name: String
        let credentials: BCECredentials
        let method: String
        let path: String
        let query: [(String, String?)]
        let headers: [String: String]
        let timestamp: Date
        let expiration: Int
        let signedHeaders: [String]?
        let expected: String
    }

    static func loadVectors() throws -> [Vector] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/bce-auth-v1", withExtension: "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        return try cases.map { c in
            func text(_ any: Any) -> String { (any as? String) ?? "\(any)" }
            let query = (c["query"] as? [String: Any] ?? [:]).map { k, v in (k, v is NSNull ? nil : text(v)) }
            let headers = (c["headers"] as? [String: Any] ?? [:]).mapValues(text)
            return Vector(
                name: try XCTUnwrap(c["name"] as? String),
                credentials: BCECredentials(
                    accessKeyId: try XCTUnwrap(c["accessKeyId"] as? String),
                    secretAccessKey: try XCTUnwrap(c["secretAccessKey"] as? String)),
                method: try XCTUnwrap(c["method"] as? String), path: try XCTUnwrap(c["path"] as? String),
                query: query, headers: headers,
                timestamp: Date(timeIntervalSince1970: try XCTUnwrap(c["timestamp"] as? Double)),
                expiration: c["expirationSeconds"] as? Int ?? 1800,
                signedHeaders: c["signedHeaders"] as? [String],
                expected: try XCTUnwrap(c["expectedAuthorization"] as? String))
        }
    }

    func testEveryVectorIsReproduced() throws {
        let vectors = try Self.loadVectors()
        XCTAssertGreaterThanOrEqual(vectors.count, 9, "the fixture lost vectors")
        for v in vectors {
            let signer = BCESigner(credentials: v.credentials)
            let got = signer.authorization(
                method: v.method, path: v.path, query: v.query, headers: v.headers, timestamp: v.timestamp,
                expirationSeconds: v.expiration, signedHeaders: v.signedHeaders)
            XCTAssertEqual(got, v.expected, v.name)
        }
    }

    func testDefaultExpirationIs1800() throws {
        let v = try XCTUnwrap(Self.loadVectors().first { $0.expiration == 1800 })
        let got = BCESigner(credentials: v.credentials).authorization(
            method: v.method, path: v.path, query: v.query, headers: v.headers, timestamp: v.timestamp,
            signedHeaders: v.signedHeaders)
        XCTAssertEqual(got, v.expected)
    }

    func testExplicitExpirationChangesSignature() throws {
        let v = try XCTUnwrap(Self.loadVectors().first)
        let signer = BCESigner(credentials: v.credentials)
        let a = signer.authorization(
            method: v.method, path: v.path, query: v.query, headers: v.headers,
            timestamp: v.timestamp, expirationSeconds: 60, signedHeaders: v.signedHeaders)
        XCTAssertTrue(a.contains("/60/"))
        XCTAssertNotEqual(a, v.expected)
    }
}
