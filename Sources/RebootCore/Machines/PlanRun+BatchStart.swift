import BCC
import Foundation

/// The plan's side of the batch-start read (`BatchStartRule`, SPEC §4.1): which instances
/// need it, which call carries it, and what an answer is. The scheduler sends the calls and
/// performs what the instances decide.
extension PlanRun {
    /// What a describe-many answer is for one instance the plan does not follow.
    enum StartReadAnswer: Equatable {
        /// Not a start read (a followed instance's poll).
        case notOne
        /// A start read overtaken by a later one, or for an instance no longer waiting for it.
        case stale
        /// The start read found no such id: it is skipped (`NotFound`).
        case notFound
        /// The start read: triage the status.
        case read(InstanceStatus)
        /// A read of the next batch in this batch's round, kept for its start.
        case kept
    }

    /// Batch `b` starts: its pending instances need their read. Those read in the previous
    /// batch's last round a moment ago have it already: returned, with what was read.
    func queueStartReads(batch b: Int, now: Date, rule: BatchStartRule) -> [(index: Int, status: InstanceStatus)] {
        let kept = prereads
        prereads.removeAll()
        unread.removeAll()
        unreadNotBefore = nil
        var read: [(Int, InstanceStatus)] = []
        for i in batches[b] where instances[i].state == .pending && !instances[i].isInDoubt {
            if let r = kept[i], rule.readStands(readAt: r.at, now: now) { read.append((i, r.status)) } else { unread.insert(i) }
        }
        return read
    }

    /// The next start-read call, up to 100 ids, when one is due. Only this read's answer
    /// counts as the start read (the epoch moves), not one of a round sent before.
    func nextStartRead(now: Date) -> [(Int, Int)]? {
        guard !unread.isEmpty, mayCall, (unreadNotBefore ?? now) <= now else { return nil }
        let chunk = unread.sorted().prefix(BCCClient.maxIdsPerCall)
        for i in chunk {
            unread.remove(i)
            readsOut.insert(i)
            instances[i].startReadSent()
        }
        return chunk.map { ($0, instances[$0].epoch) }
    }

    /// Room left in a round's last call takes the next batch's pending instances: when the
    /// round that ends this batch comes back, the next one has its read.
    func withNextBatch(_ members: [(Int, Int)]) -> [(Int, Int)] {
        let room = (BCCClient.maxIdsPerCall - members.count % BCCClient.maxIdsPerCall) % BCCClient.maxIdsPerCall
        let next = currentBatch + 1
        guard room > 0, !members.isEmpty, stop == nil, next >= 1, next < batches.count else { return members }
        var out = members
        for i in batches[next] where out.count < members.count + room {
            let inst = instances[i]
            if inst.state == .pending && !inst.inFlight && !inst.isInDoubt { out.append((i, inst.epoch)) }
        }
        return out
    }

    /// One instance of a poll answer, seen as a possible start read.
    func startReadAnswer(_ index: Int, epoch: Int, _ status: InstanceStatus?, now: Date) -> StartReadAnswer {
        let inst = instances[index]
        if readsOut.contains(index) {
            guard inst.epoch == epoch else { return .stale }
            readsOut.remove(index)
            guard inst.state == .pending, !inst.inFlight else { return .stale }
            return status.map { .read($0) } ?? .notFound
        }
        guard inst.state == .pending, !inst.inFlight, !inst.isInDoubt, batch(of: index) == currentBatch + 1 else { return .notOne }
        if let status { prereads[index] = (status, now) }
        return .kept
    }

    /// A start-read call failed: its instances are read again after the poll backoff
    /// (`retryAt`). Returns the instances to fail when the API refused it too often.
    func startReadFailed(_ chunk: [(Int, Int)], _ error: BCCError, retryAt: Date, rule: BatchStartRule) -> [Int] {
        let out = chunk.filter { readsOut.contains($0.0) && instances[$0.0].epoch == $0.1 }.map(\.0)
        guard !out.isEmpty else { return [] }
        for i in out { readsOut.remove(i) }
        startReadRefusals = error.kind == .instanceFatal ? startReadRefusals + 1 : 0
        if rule.givesUp(after: startReadRefusals) { return out.filter { instances[$0].state == .pending } }
        for i in out where instances[i].state == .pending { unread.insert(i) }
        unreadNotBefore = retryAt
        return []
    }
}
