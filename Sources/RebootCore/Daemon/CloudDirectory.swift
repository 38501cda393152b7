import BCC
import Foundation

/// The BCC clients by region ("" is the default endpoint), replaceable on reload so that new
/// credentials and `requestTimeout` apply to calls made after it (SPEC §6). Calls in flight keep
/// the client they started with.
final class CloudDirectory: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [String: CloudAPI] = [:]

    init(config: RebootdConfig, credentials: BCECredentials, transport: HTTPTransport) throws {
        clients = try Self.make(config: config, credentials: credentials, transport: transport)
    }

    static func make(config: RebootdConfig, credentials: BCECredentials, transport: HTTPTransport) throws -> [String: CloudAPI] {
        var endpoints: [String: BCCEndpoint] = ["": try BCCEndpoint(config.endpoint)]
        for (name, url) in config.regions { endpoints[name] = try BCCEndpoint(url) }
        return endpoints.mapValues {
            BCCCloudAPI(client: BCCClient(endpoint: $0, credentials: credentials, transport: transport, requestTimeout: config.requestTimeout))
        }
    }

    func replace(config: RebootdConfig, credentials: BCECredentials, transport: HTTPTransport) throws {
        let fresh = try Self.make(config: config, credentials: credentials, transport: transport)
        lock.lock()
        clients = fresh
        lock.unlock()
    }

    func api(region: String?) -> CloudAPI {
        lock.lock()
        defer { lock.unlock() }
        return clients[region ?? ""] ?? clients[""]!
    }
}
