import Dispatch
import Foundation

/// A re-armable one-shot timer.
public protocol SchedulerTimer: AnyObject, Sendable {
    func schedule(at date: Date)
    func cancel()
}
