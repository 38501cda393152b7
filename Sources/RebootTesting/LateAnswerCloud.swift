import BCC
import Foundation
import RebootCore

/// A `FakeCloud` whose answers arrive only when a test releases them, from the test's thread,
/// as the HTTP client's event loop delivers them: the calls take effect at once, their answers
/// wait in `pending`.
public final class LateAnswerCloud: CloudAPI, @unchecked Sendable {
    public let cloud: FakeCloud
    private let lock = NSLock()
    private var pending: [@Sendable () -> Void] = []

    public init(cloud: FakeCloud) { self.cloud = cloud }

    public func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void) {
        cloud.reboot(id, forceStop: forceStop) { result in self.hold { completion(result) } }
    }

    public func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void) {
        cloud.describe(ids) { result in self.hold { completion(result) } }
    }

    /// How many answers wait.
    public var waiting: Int { lock.withLock { pending.count } }

    /// Delivers every waiting answer, in call order, on the caller's thread.
    public func answerAll() {
        let answers = lock.withLock { () -> [@Sendable () -> Void] in
            defer { pending.removeAll() }
            return pending
        }
        for answer in answers { answer() }
    }

    private func hold(_ answer: @escaping @Sendable () -> Void) { lock.withLock { pending.append(answer) } }
}
