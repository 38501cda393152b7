import BCC
import Foundation
import RebootCore

/// A scripted BCC for scheduler tests, in virtual time: instances have a status; an accepted
/// reboot makes them Starting until `rebootDuration` of virtual time has passed. Answers are
/// immediate unless a script says otherwise. Every call is recorded with its virtual time.
public final class FakeCloud: CloudAPI, @unchecked Sendable {
    /// One call the scheduler made: a reboot of one instance, or a describe of several.
    public enum Call: Equatable, Sendable {
        case reboot(String)
        case describe([String])
        /// The list call with a selection (its wire query).
        case list(String)
    }

    public let clock: ManualClock
    private let lock = NSLock()
    public var statuses: [String: InstanceStatus] = [:]
    public var runningAt: [String: Date] = [:]
    public var rebootDuration: TimeInterval = 2
    public var accepted: [String: Int] = [:]
    public var calls: [(at: Date, call: Call)] = []
    /// Returns an error to answer a reboot with, or nil to behave normally.
    public var rebootScript: ((String) -> BCCError?)?
    /// Reboots whose answer is withheld (simulating a lost answer); the effect still applies.
    /// Whether an in-doubt error from the script still applies the reboot (a lost answer) or
    /// not (a lost request).
    public var inDoubtApplies = true
    /// Returns an error to answer a describe call with (a status outage, an account error).
    public var describeScript: (([String]) -> BCCError?)?
    /// Ids left out of describe answers (as if the API did not list them).
    public var hidden: Set<String> = []
    /// Instances that something else puts into a status, for a time, just as the reboot call
    /// arrives (after the batch's read saw them Running): the call gets a 409. Used once.
    public var busyAtCall: [String: (status: InstanceStatus, seconds: TimeInterval)] = [:]
    /// Each instance's zone, tags and name, as the describe and list calls answer them.
    public var zones: [String: String] = [:]
    public var tags: [String: [InstanceTag]] = [:]
    public var names: [String: String] = [:]
    /// The fleet's order, the list call's.
    public let order: [String]
    /// Returns an error to answer a list call with.
    public var listScript: ((InstanceSelector) -> BCCError?)?

    public init(clock: ManualClock, ids: [String]) {
        self.clock = clock
        order = ids
        for id in ids { statuses[id] = .running }
    }

    private func instance(_ id: String) -> Instance {
        Instance(id: id, name: names[id], status: status(id), zoneName: zones[id], tags: tags[id])
    }

    public func list(
        _ selector: InstanceSelector, nextPage: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void,
        completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void
    ) {
        lock.lock()
        calls.append((clock.now(), .list(selector.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&"))))
        if let error = listScript?(selector) {
            lock.unlock()
            return completion(.failure(error))
        }
        let found = order.filter { statuses[$0] != nil && !hidden.contains($0) }.map(instance).filter(selector.matches)
        lock.unlock()
        completion(.success(found))
    }

    public var listCalls: [(at: Date, query: String)] {
        lock.lock()
        defer { lock.unlock() }
        return calls.compactMap { if case .list(let q) = $0.call { return ($0.at, q) } else { return nil } }
    }

    public func status(_ id: String) -> InstanceStatus {
        if let at = runningAt[id], clock.now() >= at {
            statuses[id] = .running
            runningAt[id] = nil
        }
        return statuses[id] ?? .deleted
    }

    /// Runs before a reboot call's `mayStillSend` is asked (a slow transport, a frozen process).
    public var beforeSend: (@Sendable (String) -> Void)?
    /// Reboot calls refused by their `mayStillSend`, never sent.
    public var notSent: [String] = []

    public func reboot(
        _ id: String, forceStop: Bool, mayStillSend: @escaping @Sendable () -> Bool,
        completion: @escaping @Sendable (Result<String?, BCCError>) -> Void
    ) {
        beforeSend?(id)
        guard mayStillSend() else {
            lock.withLock { notSent.append(id) }
            return completion(.failure(.notSent))
        }
        reboot(id, forceStop: forceStop, completion: completion)
    }

    public func reboot(_ id: String, forceStop: Bool, completion: @escaping @Sendable (Result<String?, BCCError>) -> Void) {
        lock.lock()
        calls.append((clock.now(), .reboot(id)))
        if let busy = busyAtCall.removeValue(forKey: id) {
            statuses[id] = busy.status
            runningAt[id] = clock.now() + busy.seconds
        }
        let result: Result<String?, BCCError>
        if let error = rebootScript?(id) {
            if error.inDoubt && inDoubtApplies { apply(id) }
            result = .failure(error)
        } else if status(id) == .running {
            apply(id)
            result = .success("req-\(calls.count)")
        } else {
            result = .failure(BCCError(httpStatus: 409, code: "Instance.RebootInstanceOperationForbidden", message: "not running"))
        }
        lock.unlock()
        completion(result)
    }

    private func apply(_ id: String) {
        guard status(id) == .running else { return }
        accepted[id, default: 0] += 1
        statuses[id] = .starting
        runningAt[id] = clock.now() + rebootDuration
    }

    public func describe(_ ids: [String], completion: @escaping @Sendable (Result<[Instance], BCCError>) -> Void) {
        lock.lock()
        calls.append((clock.now(), .describe(ids)))
        if let error = describeScript?(ids) {
            lock.unlock()
            return completion(.failure(error))
        }
        let found = ids.compactMap { id in statuses[id] == nil || hidden.contains(id) ? nil : instance(id) }
        lock.unlock()
        completion(.success(found))
    }

    public var rebootCalls: [(at: Date, id: String)] {
        lock.lock()
        defer { lock.unlock() }
        return calls.compactMap { if case .reboot(let id) = $0.call { return ($0.at, id) } else { return nil } }
    }

    public var describeCalls: [(at: Date, ids: [String])] {
        lock.lock()
        defer { lock.unlock() }
        return calls.compactMap { if case .describe(let ids) = $0.call { return ($0.at, ids) } else { return nil } }
    }
}
