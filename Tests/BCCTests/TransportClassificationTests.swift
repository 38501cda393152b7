import AsyncHTTPClient
import NIOSSL
import XCTest

@testable import BCC

/// How transport errors are classified (SPEC §4.5, §4.6): only a certificate that is not
/// trusted is account-level; a handshake that breaks, or a proxy that refuses, sent nothing;
/// a connection lost after the handshake may have delivered the request.
final class TransportClassificationTests: XCTestCase {
    func testOnlyAnUntrustedCertificateIsUntrusted() {
        XCTAssertEqual(
            AsyncHTTPClientTransport.classify(NIOSSLExtraError.failedToValidateHostname),
            .untrusted("the certificate does not name the host"))
        guard case .notSent = AsyncHTTPClientTransport.classify(NIOSSLError.handshakeFailed(.syscallError)) else {
            return XCTFail("a handshake broken by the network sent nothing and is retried, not an account error")
        }
        guard case .lost = AsyncHTTPClientTransport.classify(NIOSSLError.uncleanShutdown) else {
            return XCTFail("a TLS connection cut after the handshake may have delivered the request")
        }
    }

    func testAProxyThatRefusesSentNothing() {
        for error in [HTTPClientError.invalidProxyResponse, .proxyAuthenticationRequired, .httpProxyHandshakeTimeout] {
            guard case .notSent = AsyncHTTPClientTransport.classify(error) else { return XCTFail("\(error)") }
        }
        guard case .lost = AsyncHTTPClientTransport.classify(HTTPClientError.remoteConnectionClosed) else {
            return XCTFail("a connection closed mid-request is lost, not safe to resend blindly")
        }
    }

    func testURLSessionCertificateErrorsAreUntrustedAndAResetHandshakeIsNot() {
        XCTAssertEqual(
            URLSessionTransport.classify(URLError(.serverCertificateUntrusted)),
            .untrusted("URLError \(URLError.Code.serverCertificateUntrusted.rawValue)"))
        guard case .notSent = URLSessionTransport.classify(URLError(.secureConnectionFailed)) else {
            return XCTFail("libcurl's SSL connect error includes resets: sent nothing, not an account error")
        }
    }
}
