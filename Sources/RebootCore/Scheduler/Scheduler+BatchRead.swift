import BCC
import Foundation

/// SPEC §4.1: a batch starts with a read of its instances' status, and a reboot call goes only
/// to an instance whose last read was `Running`. The read rides in the previous batch's poll
/// rounds when they have room (issue 10's call budget) and is taken in calls of its own
/// otherwise, or when it is older than `pollInterval` at the batch start.
extension Scheduler {
    /// Sends the batch's pending instances to their read, or straight to their outcome when a
    /// round of the previous batch read them a moment ago.
    func queueStartReads(_ run: PlanRun, batch b: Int, now: Date) {
        let prereads = run.prereads
        run.prereads.removeAll()
        run.unread.removeAll()
        run.unreadNotBefore = nil
        for i in run.batches[b] where run.instances[i].state == .pending && !run.instances[i].isInDoubt {
            if let read = prereads[i], now.timeIntervalSince(read.at) <= settings.pollInterval {
                startRead(run, run.instances[i], read.status, now: now)
            } else {
                run.unread.insert(i)
            }
        }
    }

    /// The next batch-start read call of `run`, up to 100 ids, when one is due.
    func nextStartRead(_ run: PlanRun, now: Date) -> [(Int, Int)]? {
        guard !run.unread.isEmpty, run.mayCall, (run.unreadNotBefore ?? now) <= now else { return nil }
        let chunk = run.unread.sorted().prefix(BCCClient.maxIdsPerCall)
        for i in chunk {
            run.unread.remove(i)
            run.readsOut.insert(i)
            // Only this read's answer counts as the start read, not one of a round sent before.
            run.instances[i].startReadSent()
        }
        return chunk.map { ($0, run.instances[$0].epoch) }
    }

    /// Room left in a round's last call is filled with the next batch's pending instances: when
    /// the round that ends this batch comes back, the next one has its read.
    func withNextBatch(_ run: PlanRun, _ members: [(Int, Int)]) -> [(Int, Int)] {
        let room = (BCCClient.maxIdsPerCall - members.count % BCCClient.maxIdsPerCall) % BCCClient.maxIdsPerCall
        let next = run.currentBatch + 1
        guard room > 0, !members.isEmpty, run.stop == nil, next >= 1, next < run.batches.count else { return members }
        var out = members
        for i in run.batches[next] where out.count < members.count + room {
            let inst = run.instances[i]
            if inst.state == .pending && !inst.inFlight && !inst.isInDoubt { out.append((i, inst.epoch)) }
        }
        return out
    }

    /// One instance of a poll answer that was not followed: a batch-start read, or a read of the
    /// next batch in this batch's round. True when it was one of those.
    func startReadAnswered(_ run: PlanRun, _ index: Int, epoch: Int, _ status: InstanceStatus?, now: Date) -> Bool {
        let inst = run.instances[index]
        if run.readsOut.contains(index) {
            guard inst.epoch == epoch else { return true }  // a round sent before the read: not it
            run.readsOut.remove(index)
            guard !inst.state.isTerminal, inst.state == .pending, !inst.inFlight else { return true }
            // An id the API does not know is skipped at once (SPEC §4.1).
            guard let status else { finish(run, inst, .skipped("NotFound"), now: now); return true }
            startRead(run, inst, status, now: now)
            return true
        }
        guard inst.state == .pending, !inst.inFlight, !inst.isInDoubt, run.batch(of: index) == run.currentBatch + 1 else { return false }
        if let status { run.prereads[index] = (status, now) }
        return true
    }

    /// A batch-start read failed: its instances are read again after the poll backoff. A read
    /// the API refuses for what it asks (a 4xx other than throttling or the account's), again
    /// and again, fails them after `retry.maxAttempts` tries, with the API's code: else the
    /// plan would never end.
    func startReadFailed(_ run: PlanRun, _ chunk: [(Int, Int)], _ error: BCCError, now: Date) {
        let out = chunk.filter { run.readsOut.contains($0.0) && run.instances[$0.0].epoch == $0.1 }.map(\.0)
        guard !out.isEmpty else { return }
        for i in out { run.readsOut.remove(i) }
        run.startReadRefusals = error.kind == .instanceFatal ? run.startReadRefusals + 1 : 0
        if run.startReadRefusals >= settings.retry.maxAttempts {
            logger.error("the status read of batch \(run.currentBatch + 1) was refused \(run.startReadRefusals) times (\(error.code)): failing its instances",
                         metadata: ["plan": "\(run.id)"])
            for i in out where run.instances[i].state == .pending { finish(run, run.instances[i], .failed(error.code), now: now) }
            return
        }
        for i in out where run.instances[i].state == .pending { run.unread.insert(i) }
        run.unreadNotBefore = run.nextPollAt ?? now + settings.pollInterval
    }

    /// What the status read at a batch's start means (SPEC §4.1; see `InstanceRun.startRead`).
    func startRead(_ run: PlanRun, _ inst: InstanceRun, _ status: InstanceStatus, now: Date) {
        if run.stop == nil { run.startReadRefusals = 0 }
        let heldElsewhere = claims[inst.id].map { $0 != run.id } ?? false
        perform(inst.startRead(status, now: now, rules: rules(run), stop: run.stop, heldElsewhere: heldElsewhere), run, inst, now: now)
    }
}
