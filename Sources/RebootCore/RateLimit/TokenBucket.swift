import Foundation

/// A token bucket: `capacity` tokens, refilled at `rate` per second. Starting full, no interval
/// of one second can see more than `rate + capacity` takes.
public struct TokenBucket: Sendable {
    public private(set) var rate: Double
    public private(set) var capacity: Double
    public private(set) var tokens: Double
    private var updated: Date

    public init(rate: Double, burst: Int, now: Date) {
        self.rate = max(rate, 0.001)
        capacity = Double(max(1, burst))
        tokens = capacity
        updated = now
    }

    mutating func refill(_ now: Date) {
        let elapsed = now.timeIntervalSince(updated)
        if elapsed > 0 {
            tokens = min(capacity, tokens + elapsed * rate)
            updated = now
        }
    }

    /// Takes one token if there is one.
    public mutating func tryTake(now: Date) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Seconds until a token is available (0 when one is).
    public mutating func timeUntilToken(now: Date) -> TimeInterval { timeUntil(tokens: 1, now: now) }

    /// Seconds until `count` tokens are available (at most the capacity is ever waited for).
    public mutating func timeUntil(tokens count: Int, now: Date) -> TimeInterval {
        refill(now)
        let wanted = min(Double(max(1, count)), capacity)
        return tokens >= wanted ? 0 : (wanted - tokens) / rate
    }

    /// Changes the refill rate from `now` on (tokens earned so far are kept).
    public mutating func setRate(_ newRate: Double, now: Date) {
        refill(now)
        rate = max(newRate, 0.001)
    }

    /// Changes the capacity (a config reload): tokens held are capped at the new capacity,
    /// never refilled.
    public mutating func setCapacity(_ burst: Int, now: Date) {
        refill(now)
        capacity = Double(max(1, burst))
        tokens = min(tokens, capacity)
    }

    public mutating func available(now: Date) -> Double {
        refill(now)
        return tokens
    }
}
