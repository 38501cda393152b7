import BCC
import Foundation

/// The narrow view of BCC the scheduler needs; tests substitute a fake.
public protocol CloudAPI: Sendable {
    /// One reboot call. Succeeds with the request id.
    func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void)
    /// One describe-many call for at most 100 ids; ids the API does not know are absent.
    func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void)
}

/// `CloudAPI` on the real client.
public struct BCCCloudAPI: CloudAPI {
    public let client: BCCClient

    public init(client: BCCClient) { self.client = client }

    public func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void) {
        client.reboot(id, forceStop: forceStop, completion: completion)
    }

    /// One describe-many call for at most 100 ids; a truncated answer is followed through its
    /// `nextMarker` (rare: only when the API pages below the requested `maxKeys`).
    public func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void) {
        client.describeMany(ids, completion: completion)
    }
}
