import BCC
import Foundation

/// A plan the scheduler is running: its instances, batch progress, call queues and poll
/// rounds. Confined to the scheduler queue.
final class PlanRun {
    /// The plan's journal head as it was taken on (without its parameters); its state since is
    /// the machine's (`state`).
    let record: PlanRecord
    let plan: Plan
    let batches: [Range<Int>]
    let instances: [InstanceRun]
    /// The plan's lifecycle: its state, batch progress, pauses and stop (`PlanMachine`).
    var machine: PlanMachine
    var state: PlanState { machine.state }
    var currentBatch: Int { machine.currentBatch }
    /// When the current batch's last instance became terminal (monotonic).
    var batchDoneAt: Date? { machine.batchEndedAt }
    var operatorPaused: Bool { machine.operatorPaused }
    var accountPausedAt: Date? { machine.accountPausedAt }
    var stop: PlanStop? { machine.stop }
    var haltReason: String? { machine.haltReason }
    var failed: Int { machine.failed }
    /// Non-terminal instances of the current batch.
    var openInBatch = 0

    /// Instances ready for a reboot call, in order (a head index instead of removing).
    var ready: [Int] = []
    var readyHead = 0
    /// Instances backing off until their `notBefore`.
    var delayed: [Int] = []
    /// Instances waiting because another plan holds them.
    var blocked: [Int] = []
    var inFlightCalls = 0

    /// Pending instances of the current batch that need their batch-start read before any call
    /// (SPEC §4.1), and those whose read is out.
    var unread: Set<Int> = []
    var readsOut: Set<Int> = []
    /// A failed batch-start read is tried again from here (the poll backoff).
    var unreadNotBefore: Date?
    /// Batch-start reads refused in a row for what they ask (4xx): after `retry.maxAttempts`,
    /// their instances fail.
    var startReadRefusals = 0
    /// Pending instances of the next batch read in a poll round of this one, with when the
    /// answer came: a read fresher than `pollInterval` when the batch starts is its start read.
    var prereads: [Int: (status: InstanceStatus, at: Date)] = [:]

    /// Instances that need status polls (rebooting, waiting, in doubt).
    var watched: Set<Int> = []
    /// Instances to poll at once (after a 409, in doubt).
    var urgent: Set<Int> = []
    var pollChunks: [[(Int, Int)]] = []
    var pollsInFlight = 0
    /// Instances whose reboot call is unanswered: read from `pollInterval` after the send, so
    /// that a call that ends in doubt has readings from its send on (SPEC §4.8).
    var inFlightReboots: Set<Int> = []
    /// A poll answer of the current round left an instance in doubt: the next round comes at
    /// the in-doubt reading spacing, not the poll interval (SPEC §4.8).
    var roundHadInDoubt = false
    var nextPollAt: Date?
    var nextTimeoutCheck = Date.distantPast
    /// When a pause, `startAfter` or the window lets the next batch start.
    var wakeAt: Date?
    /// The plan's shortest confirmed reboot: rebooting instances are not polled before it.
    var pollHoldoff = PollHoldoff()
    /// Consecutive failed poll calls (their backoff grows with it).
    var pollFailures = 0

    /// The wait for the health gates before the next batch, while one is under way.
    var gateWait: GateWait?

    init(record: PlanRecord, plan: Plan) {
        var record = record
        // The decoded `plan` is what runs; the JSON text (1.5 MB for 100,000 ids) stays in the journal.
        record.parameters = ""
        self.record = record
        self.plan = plan
        batches = plan.layout.batches
        var runs: [InstanceRun] = []
        runs.reserveCapacity(plan.instances.count)
        for range in batches {
            for i in range { runs.append(InstanceRun(index: i, id: plan.instances[i])) }
        }
        instances = runs
        machine = PlanMachine(restoring: record, budget: plan.maxFailures, total: plan.instances.count)
    }

    var id: String { record.id }

    /// The pause before the next batch: `pauseBetweenZones` when it starts another zone
    /// (`zones: one-at-a-time`), else `pauseBetweenBatches` (SPEC §2).
    var pauseBeforeNextBatch: TimeInterval {
        let next = currentBatch + 1
        guard plan.zones == .oneAtATime, let zones = plan.instanceZones, next > 0, next < batches.count,
            batches[next].lowerBound < zones.count
        else { return plan.pauseBetweenBatches }
        let changes = zones[batches[next].lowerBound] != zones[batches[next - 1].lowerBound]
        return changes ? plan.pauseBetweenZones ?? plan.pauseBetweenBatches : plan.pauseBetweenBatches
    }

    /// Why batch `b` may not start (`zones: one-at-a-time`): it begins a new zone while the zone
    /// before has failed instances last read other than Running (a reboot that timed out, a call
    /// in doubt, an Error): that zone still has a host down. Nil when it may.
    func zoneHold(before b: Int) -> String? {
        guard plan.zones == .oneAtATime, let zones = plan.instanceZones, b > 0, b < batches.count else { return nil }
        let first = batches[b].lowerBound
        let previous = batches[b - 1].lowerBound
        guard first < zones.count, zones[first] != zones[previous] else { return nil }
        var start = previous
        while start > 0 && zones[start - 1] == zones[previous] { start -= 1 }
        let down = instances[start..<first].filter { $0.state == .failed && $0.lastStatus != InstanceStatus.running.rawValue }
        guard !down.isEmpty else { return nil }
        let zone = zones[previous].isEmpty ? "of unknown zone" : zones[previous]
        let ids = down.prefix(3).map(\.id).joined(separator: ", ") + (down.count > 3 ? " and \(down.count - 3) more" : "")
        return "\(PlanMachine.zoneHaltPrefix)\(zone): \(ids) did not come back Running; \(zones[first]) not started (zones: one-at-a-time)"
    }

    /// Whether the plan pauses for an approval after batch `b` (0-based; SPEC §2 `checkpoints`).
    func checkpoint(after b: Int) -> Bool { plan.checkpoints?.contains(b + 1) ?? false }

    /// The batch that holds instance `index` (batches are consecutive ranges, in order).
    func batch(of index: Int) -> Int {
        var low = 0
        var high = batches.count - 1
        while low < high {
            let mid = (low + high) / 2
            if batches[mid].upperBound <= index { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The journal row of `inst` as it stands.
    func record(of inst: InstanceRun, wall: Date) -> PlanInstanceRecord {
        inst.record(planId: id, batch: batch(of: inst.index), wall: wall)
    }

    /// The plan itself allows new reboot calls (the scheduler adds its own holds: account pause, restart hold).
    var mayCall: Bool { machine.mayCall }

    var hasReady: Bool { readyHead < ready.count }

    func pushReady(_ index: Int) {
        let run = instances[index]
        guard !run.queued else { return }
        run.queued = true
        ready.append(index)
    }

    func popReady() -> Int? {
        while readyHead < ready.count {
            let index = ready[readyHead]
            readyHead += 1
            if readyHead > 1024 && readyHead * 2 > ready.count {
                ready.removeFirst(readyHead)
                readyHead = 0
            }
            instances[index].queued = false
            return index
        }
        return nil
    }

    /// Empties the ready queue and returns what was in it, in order.
    func drainReady() -> [Int] {
        let out = Array(ready[readyHead...])
        for i in out { instances[i].queued = false }
        ready.removeAll()
        readyHead = 0
        return out
    }

    /// Calls of the current batch not yet answered (queued, delayed, blocked or in flight).
    var callsOutstanding: Bool { hasReady || !delayed.isEmpty || !blocked.isEmpty || inFlightCalls > 0 }

    var counts: [InstanceState: Int] {
        var out: [InstanceState: Int] = [:]
        for run in instances { out[run.state, default: 0] += 1 }
        return out
    }
}
