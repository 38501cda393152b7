import Dispatch
import Foundation

/// What a caller blocked on a PostgreSQL journal call waits for: the call's result, or the
/// database's silence outlasting what the call expects (the client-side bound). The call's task
/// moves the expectation forward as it gets answers: before its connection is leased, before
/// each statement, before the commit. A caller that gives up marks the call abandoned, and an
/// abandoned call never commits (it rolls back); a commit already sent may still land, which
/// the error then says.
final class PostgresCallWatch<Value: Sendable>: @unchecked Sendable {
    enum Outcome {
        case finished(Result<Value, any Error>)
        /// No answer for `seconds`; `commitInFlight` when the commit had been sent.
        case silent(seconds: Double, commitInFlight: Bool)
    }

    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var since = DispatchTime.now()
    private var deadline: DispatchTime
    private var result: Result<Value, any Error>?
    private var abandoned = false
    private var committing = false

    init(firstAnswerWithin bound: Duration) {
        deadline = since + bound.dispatchInterval
    }

    /// The next answer is due within `bound` from now.
    func expectAnswer(within bound: Duration) {
        lock.withLock {
            since = .now()
            deadline = since + bound.dispatchInterval
        }
    }

    /// Whether the call may send its commit: false once the caller has given up.
    func beginCommit(within bound: Duration) -> Bool {
        lock.withLock {
            guard !abandoned else { return false }
            committing = true
            since = .now()
            deadline = since + bound.dispatchInterval
            return true
        }
    }

    func finish(_ outcome: Result<Value, any Error>) {
        lock.withLock { result = outcome }
        done.signal()
    }

    /// Blocks until the call finishes or its answer is overdue.
    func wait() -> Outcome {
        while true {
            let until = lock.withLock { deadline }
            _ = done.wait(timeout: until)
            let outcome: Outcome? = lock.withLock {
                if let result { return .finished(result) }
                let now = DispatchTime.now()
                guard now >= deadline else { return nil }
                abandoned = true
                return .silent(seconds: Double(now.uptimeNanoseconds - since.uptimeNanoseconds) / 1e9, commitInFlight: committing)
            }
            if let outcome { return outcome }
        }
    }
}

extension Duration {
    /// This duration as Dispatch counts it (nanoseconds).
    var dispatchInterval: DispatchTimeInterval {
        let c = components
        return .nanoseconds(Int(c.seconds) * 1_000_000_000 + Int(c.attoseconds / 1_000_000_000))
    }

    /// This duration in seconds.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole milliseconds, at least 1.
    var milliseconds: Int { max(1, Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)) }
}
