import XCTest

@testable import BCC

/// `proxy` and the environment's proxy variables (SPEC §6).
final class ProxySettingsTests: XCTestCase {
    func testOnlyAnHTTPProxyURLIsAccepted() {
        XCTAssertEqual(ProxySettings(url: "http://proxy.internal:3128")?.port, 3128)
        XCTAssertEqual(ProxySettings(url: "http://proxy.internal/")?.port, 80)
        for bad in ["https://proxy:3128", "socks5://proxy:1080", "proxy:3128", "http://:3128", "http://u:p@proxy:3128", "http://proxy:3128/path"] {
            XCTAssertNil(ProxySettings(url: bad), bad)
        }
    }

    func testTheEnvironmentByScheme() {
        let env = ["https_proxy": "http://tls-proxy:3128", "HTTP_PROXY": "http://plain-proxy:8080", "no_proxy": "localhost, .internal,10.0.0.1"]
        XCTAssertEqual(ProxySettings.fromEnvironment(env, https: true)?.host, "tls-proxy")
        XCTAssertEqual(ProxySettings.fromEnvironment(env, https: false)?.host, "plain-proxy")
        XCTAssertNil(ProxySettings.fromEnvironment([:], https: true))
        XCTAssertNil(ProxySettings.fromEnvironment(["https_proxy": ""], https: true))
    }

    func testNoProxyMatchesHostsAndDomainSuffixes() throws {
        let p = try XCTUnwrap(
            ProxySettings.fromEnvironment(
                ["https_proxy": "http://proxy:3128", "no_proxy": "localhost, .internal,corp.example,10.0.0.1"], https: true))
        XCTAssertTrue(p.applies(toHost: "bcc.bj.baidubce.com"))
        XCTAssertFalse(p.applies(toHost: "localhost"))
        XCTAssertFalse(p.applies(toHost: "api.internal"))
        XCTAssertFalse(p.applies(toHost: "BCC.Corp.Example"))
        XCTAssertFalse(p.applies(toHost: "10.0.0.1"))
        XCTAssertTrue(p.applies(toHost: "notcorp.example"), "a suffix matches whole labels only")
        XCTAssertFalse(ProxySettings(url: "http://p:1", noProxy: ["*"])!.applies(toHost: "anything"))
    }
}
