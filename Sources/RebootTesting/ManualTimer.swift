import Dispatch
import Foundation
import RebootCore

/// A timer of `ManualClock`.
final class ManualTimer: SchedulerTimer, @unchecked Sendable {
    let queue: DispatchQueue
    let handler: @Sendable () -> Void
    var fireAt: Date?
    let onSchedule: @Sendable () -> Void

    init(queue: DispatchQueue, handler: @escaping @Sendable () -> Void, onSchedule: @escaping @Sendable () -> Void = {}) {
        self.queue = queue
        self.handler = handler
        self.onSchedule = onSchedule
    }

    func schedule(at date: Date) {
        onSchedule()
        fireAt = date
    }
    func cancel() { fireAt = nil }
}
