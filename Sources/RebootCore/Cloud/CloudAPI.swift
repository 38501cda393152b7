import BCC
import Foundation

/// The narrow view of BCC the scheduler needs; tests substitute a fake.
public protocol CloudAPI: Sendable {
    /// One reboot call. Succeeds with the request id.
    func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void)
    /// The same, sent only while `mayStillSend` says so (SPEC §4.16); otherwise it fails with
    /// `BCCError.notSent` and sends nothing.
    func reboot(
        _ id: String, forceStop: Bool, mayStillSend: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<String?, BCCError>) -> Void)
    /// One describe-many call for at most 100 ids; ids the API does not know are absent.
    func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void)
    /// The same, where the API may answer in several pages: each page after the first is sent
    /// only once `nextPage` calls back (a rate-limiter token, SPEC §4.2).
    func describe(
        _ ids: [String], nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void)
    /// The list call with a selection (SPEC §1): every page is one call, and each page after
    /// the first is sent only once `nextPage` calls back (a rate-limiter token, SPEC §4.2).
    func list(
        _ selector: InstanceSelector, nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void)
}

extension CloudAPI {
    /// For fakes: asked before the call.
    public func reboot(
        _ id: String, forceStop: Bool, mayStillSend: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<String?, BCCError>) -> Void
    ) {
        mayStillSend() ? reboot(id, forceStop: forceStop, completion: completion) : completion(.failure(.notSent))
    }

    /// For fakes that select nothing: the call fails, so a plan that needs it fails clearly.
    public func list(
        _ selector: InstanceSelector, nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        completion(.failure(BCCError(httpStatus: nil, code: "ListNotAvailable", message: "this cloud answers no list call")))
    }

    /// For clouds that answer in one page (the test fakes).
    public func describe(
        _ ids: [String], nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        describe(ids, completion: completion)
    }
}

/// `CloudAPI` on the real client.
public struct BCCCloudAPI: CloudAPI {
    public let client: BCCClient

    public init(client: BCCClient) { self.client = client }

    public func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void) {
        client.reboot(id, forceStop: forceStop, completion: completion)
    }

    /// Asked after the signing, so that the signature's time is never past the deadline.
    public func reboot(
        _ id: String, forceStop: Bool, mayStillSend: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<String?, BCCError>) -> Void
    ) {
        client.reboot(id, forceStop: forceStop, mayStillSend: mayStillSend, completion: completion)
    }

    /// One describe-many call for at most 100 ids; a truncated answer is followed through its
    /// `nextMarker` (rare: only when the API pages below the requested `maxKeys`).
    public func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void) {
        client.describeMany(ids, completion: completion)
    }

    public func describe(
        _ ids: [String], nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        client.describeMany(ids, nextPage: nextPage, completion: completion)
    }

    public func list(
        _ selector: InstanceSelector, nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        client.listInstances(matching: selector, nextPage: nextPage, completion: completion)
    }
}
