import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Calls a completion at most once, from whichever side gets there first.
final class CompletionOnce<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var completion: (@Sendable (Value) -> Void)?

    init(_ completion: @escaping @Sendable (Value) -> Void) { self.completion = completion }

    var hasFired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return completion == nil
    }

    /// Returns true when this call was the one that fired.
    @discardableResult
    func fire(_ value: Value) -> Bool {
        lock.lock()
        let c = completion
        completion = nil
        lock.unlock()
        guard let c else { return false }
        c(value)
        return true
    }
}
