import BCC
import Foundation

/// What a plan would meet if it started now (SPEC §7 `rebootctl preview`), from read calls only:
/// the instances it resolves to, ids the API does not know, instances not Running now, its
/// batches with their zones, and the windows it will need. Built from the answers by the same
/// `PlanResolution` the daemon runs, so the layout is the daemon's.
public struct PlanPreview: Sendable, Equatable, Codable {
    /// An instance that is not Running now: what the batch-start read would do with it (rule
    /// 4.1 triages it as a 409's poll: wait for a transitional status, skip a parked one, fail
    /// `Error`).
    public struct NotRunning: Sendable, Equatable, Codable {
        public var id: String
        public var status: String
        /// `waited for`, `skipped` or `failed`.
        public var outcome: String
    }

    /// One batch: its number (1-based), its size and the zones it touches.
    public struct Batch: Sendable, Equatable, Codable {
        public var number: Int
        public var size: Int
        public var zones: [String]
    }

    public var plan: String
    /// The instances in the order they would be rebooted.
    public var instances: [String]
    /// How many instances `select` matched (nil without `select`).
    public var selected: Int?
    /// Listed ids the API does not know (they would be skipped, `NotFound`).
    public var unknown: [String]
    public var notRunning: [NotRunning]
    public var batches: [Batch]
    /// The window and `startAfter`, and what they mean for this plan.
    public var windows: [String]
    /// Why the plan cannot start at all (an empty selection), if so.
    public var failure: String?

    /// The plan would skip or fail instances at once, or not start (exit 65); an instance it
    /// would only wait for is not one.
    public var wouldSkipOrFail: Bool { failure != nil || !unknown.isEmpty || notRunning.contains { $0.outcome != Self.waitedFor } }

    static let waitedFor = "waited for"

    enum CodingKeys: String, CodingKey { case plan, instances, selected, unknown, notRunning, batches, windows, failure }

    /// Every key, `null` when it has no value: a script reads the same shape every time.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan, forKey: .plan)
        try c.encode(instances, forKey: .instances)
        try c.encode(selected, forKey: .selected)
        try c.encode(unknown, forKey: .unknown)
        try c.encode(notRunning, forKey: .notRunning)
        try c.encode(batches, forKey: .batches)
        try c.encode(windows, forKey: .windows)
        try c.encode(failure, forKey: .failure)
    }

    /// The preview of `plan` from the listing of its `select` (`listed`) and a describe of the
    /// ids it lists (`described`), taken at wall time `now`.
    public init(plan: Plan, listed: [Instance]?, described: [Instance], now: Date) {
        self.plan = plan.name
        var resolution = PlanResolution(plan: plan, record: PlanRecord.preview)
        var statuses: [String: InstanceStatus] = [:]
        for instance in (listed ?? []) + described { statuses[instance.id] = instance.status }
        while let call = resolution.nextCall(now: now) {
            let answer: [Instance] = if case .list = call { listed ?? [] } else { described }
            resolution.answered(call, .success(answer), now: now, retry: .init(), random: 0)
        }
        // The zones of listed ids for a mixed plan too: the describe answer carries them.
        let resolved: Plan
        switch resolution.outcome {
        case .failed(let reason):
            failure = reason
            resolved = plan
        case .resolved(let p, _):
            failure = nil
            resolved = p
        }
        let zoneOf = Dictionary(((listed ?? []) + described).compactMap { i in i.zoneName.map { (i.id, $0) } }, uniquingKeysWith: { a, _ in a })
        instances = resolved.instances
        selected = listed?.count
        unknown = plan.instances.filter { statuses[$0] == nil }
        let triage = ConflictPolicy(plan.conflictRetry)
        notRunning = resolved.instances.compactMap { id in
            statuses[id].flatMap { status in
                guard !status.isRunning else { return nil }
                let outcome =
                    switch triage.afterPoll(status) {
                    case .skip: "skipped"
                    case .fail: "failed"
                    case .keepWaiting, .callAgain: Self.waitedFor
                    }
                return NotRunning(id: id, status: status.rawValue, outcome: outcome)
            }
        }
        let layout = resolved.layout
        batches = layout.batches.enumerated().map { b, range in
            var zones: [String] = []
            for i in range { if let z = zoneOf[resolved.instances[i]], !zones.contains(z) { zones.append(z) } }
            return Batch(number: b + 1, size: range.count, zones: zones)
        }
        windows = Self.windows(resolved, batchCount: layout.batches.count, now: now)
    }

    /// The window and `startAfter` as they apply now, and a lower bound on the windows needed:
    /// the pauses alone (the reboots add to it).
    static func windows(_ plan: Plan, batchCount: Int, now: Date) -> [String] {
        var out: [String] = []
        if let after = plan.startAfter, after > now { out.append("no reboot before startAfter \(JournalTime.format(after))") }
        guard let window = plan.window else {
            out.append("no window: batches run at any time")
            return out
        }
        let open = window.isOpen(at: now)
        let next = open ? "open now" : window.nextOpening(after: now).map { "next opening \(window.localTime($0))" } ?? "it never opens"
        out.append("window \(window.summary): \(next)")
        let minutes = window.start == window.end ? 1440 : (window.end - window.start + 1440) % 1440
        let length = TimeInterval(minutes * 60)
        var pauses = plan.pauseBetweenBatches * Double(max(0, batchCount - 1))
        if plan.zones == .oneAtATime, let zones = plan.instanceZones {
            // Each change of zone pauses pauseBetweenZones instead.
            var changes = 0
            for i in zones.indices.dropFirst() where zones[i] != zones[i - 1] { changes += 1 }
            pauses += Double(changes) * ((plan.pauseBetweenZones ?? plan.pauseBetweenBatches) - plan.pauseBetweenBatches)
        }
        if pauses > length {
            let windows = Int((pauses / length).rounded(.up))
            out.append(
                "the pauses alone (\(DurationParser.format(pauses))) outlast one window (\(DurationParser.format(length))): at least \(windows) windows"
            )
        }
        return out
    }
}

extension PlanRecord {
    /// A stand-in record for a preview's resolution (nothing is journaled).
    static let preview = PlanRecord(
        id: "preview", name: "preview", sourceFile: "", format: "yaml", sha256: "", submitterUid: 0, submitterName: "", submittedAt: "",
        state: PlanState.queued.rawValue, parameters: "", instanceCount: 0, batchCount: 0, currentBatch: -1, updatedAt: "", finishedAt: nil,
        reason: nil)
}
