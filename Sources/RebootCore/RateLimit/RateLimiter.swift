import Foundation

/// The one gate every BCC call of the daemon passes: a token bucket plus a cap on calls in
/// flight. While the API throttles, the rate halves (down to a tenth of the configured rate);
/// after a second without throttling it climbs back by a tenth of the configured rate a second.
public struct RateLimiter: Sendable {
    public private(set) var configuredRate: Double
    public private(set) var bucket: TokenBucket
    public private(set) var maxInFlight: Int
    public private(set) var inFlight = 0
    private var lastThrottle: Date?
    private var lastRecovery: Date

    public init(requestsPerSecond: Double, burst: Int, maxInFlight: Int, now: Date) {
        configuredRate = requestsPerSecond
        bucket = TokenBucket(rate: requestsPerSecond, burst: burst, now: now)
        self.maxInFlight = max(1, maxInFlight)
        lastRecovery = now
    }

    public var currentRate: Double { bucket.rate }

    /// Takes a token and a flight slot when both are free.
    public mutating func tryAcquire(now: Date) -> Bool {
        recover(now)
        guard inFlight < maxInFlight, bucket.tryTake(now: now) else { return false }
        inFlight += 1
        return true
    }

    /// Takes a token only, for a call that already holds a flight slot (a listing's next page).
    public mutating func tryTakeToken(now: Date) -> Bool {
        recover(now)
        return bucket.tryTake(now: now)
    }

    /// When the next token comes.
    public mutating func nextToken(now: Date) -> Date {
        recover(now)
        return now + bucket.timeUntil(tokens: 1, now: now)
    }

    /// A call's answer (or failure) arrived.
    public mutating func release() { inFlight = max(0, inFlight - 1) }

    /// When `calls` calls could start (the next token by default), or nil when only a finishing
    /// call can free a slot. More than the free slots or the burst is never waited for.
    public mutating func nextAvailable(now: Date, calls: Int = 1) -> Date? {
        recover(now)
        guard inFlight < maxInFlight else { return nil }
        return now + bucket.timeUntil(tokens: min(calls, maxInFlight - inFlight), now: now)
    }

    /// The API throttled us: slow down.
    public mutating func throttled(now: Date) {
        lastThrottle = now
        lastRecovery = now
        bucket.setRate(max(configuredRate / 10, bucket.rate / 2), now: now)
    }

    mutating func recover(_ now: Date) {
        guard bucket.rate < configuredRate else { return }
        if let last = lastThrottle, now.timeIntervalSince(last) < 1 { return }
        let elapsed = now.timeIntervalSince(lastRecovery)
        guard elapsed > 0 else { return }
        bucket.setRate(min(configuredRate, bucket.rate + configuredRate / 10 * elapsed), now: now)
        lastRecovery = now
    }

    /// Applies new settings (config reload) in place: calls in flight are kept, the bucket is
    /// not refilled (its tokens are capped at the new burst), and a throttling slow-down is kept
    /// as the same fraction of the new rate.
    public mutating func reconfigure(requestsPerSecond: Double, burst: Int, maxInFlight: Int, now: Date) {
        recover(now)
        let factor = configuredRate > 0 ? bucket.rate / configuredRate : 1
        configuredRate = requestsPerSecond
        bucket.setCapacity(burst, now: now)
        bucket.setRate(requestsPerSecond * min(1, factor), now: now)
        self.maxInFlight = max(1, maxInFlight)
    }

    public mutating func tokens(now: Date) -> Double { bucket.available(now: now) }
}

extension RateLimiter {
    /// True when `tryAcquire` would succeed now.
    public mutating func canAcquire(now: Date) -> Bool { canAcquire(now: now, calls: 1) }

    /// True when `calls` calls could start now (capped at the burst and the free slots).
    public mutating func canAcquire(now: Date, calls: Int) -> Bool {
        recover(now)
        let wanted = min(max(1, calls), maxInFlight - inFlight, Int(bucket.capacity))
        return inFlight < maxInFlight && bucket.available(now: now) >= Double(max(1, wanted))
    }
}
