import Dispatch
import Foundation
import RebootCore

/// A timer of `ManualClock`.
final class ManualTimer: SchedulerTimer, @unchecked Sendable {
    let queue: DispatchQueue
    let handler: @Sendable () -> Void
    var fireAt: Date?

    init(queue: DispatchQueue, handler: @escaping @Sendable () -> Void) {
        self.queue = queue
        self.handler = handler
    }

    func schedule(at date: Date) { fireAt = date }
    func cancel() { fireAt = nil }
}
