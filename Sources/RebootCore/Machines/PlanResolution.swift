import BCC
import Foundation

/// What a plan learns from the API when it starts, before its first batch (SPEC §2, issue 26):
/// the ids its `select` matches (the list call, resolved once), and, for `zones: one-at-a-time`,
/// the zone of every instance it lists by id (describe-many, 100 ids a call; this is the
/// batch-start read of rule 4.1 widened to the plan, since the batches cannot be laid out
/// without it). A value: the scheduler sends the calls it asks for, through the rate limiter,
/// and feeds it the answers; no I/O here.
struct PlanResolution {
    /// One read call to send.
    enum Call: Equatable {
        case list(InstanceSelector)
        case describe([String])
    }

    /// What the plan became.
    enum Outcome: Equatable {
        /// The plan with its ids (file order first, then the listing's) and their zones; for
        /// `one-at-a-time`, grouped by zone in the order the zones first appear.
        case resolved(Plan, detail: String)
        /// It cannot run: it ends `failed` with this reason (never `succeeded` with nothing done).
        case failed(String)
    }

    let plan: Plan
    /// The plan's journal record (queued until the resolution is journaled with its start).
    let record: PlanRecord
    private var calls: [Call]
    /// A failed call goes again no sooner than this (monotonic).
    private(set) var notBefore: Date?
    /// Failed calls so far, throttling not counted (rule 4.5).
    private(set) var failures = 0
    /// Numbers this resolution among the plan's (a pause drops one; a resume starts another):
    /// an answer is taken only by the resolution that sent its call.
    var generation = 0
    private(set) var outstanding = 0
    private var listed: [Instance]?
    private var zoneById: [String: String] = [:]
    private(set) var failure: String?

    init(plan: Plan, record: PlanRecord) {
        self.plan = plan
        self.record = record
        var calls: [Call] = []
        if let select = plan.select { calls.append(.list(select.selector)) }
        if plan.zones == .oneAtATime {
            var start = 0
            while start < plan.instances.count {
                let end = min(start + BCCClient.maxIdsPerCall, plan.instances.count)
                calls.append(.describe(Array(plan.instances[start..<end])))
                start = end
            }
        }
        self.calls = calls
    }

    /// A call is waiting to be sent (now, or after `notBefore`).
    var hasCall: Bool { failure == nil && !calls.isEmpty }

    /// The next call to send at `now`, if any; it counts as outstanding until answered.
    mutating func nextCall(now: Date) -> Call? {
        guard hasCall, (notBefore ?? now) <= now else { return nil }
        outstanding += 1
        return calls.removeFirst()
    }

    /// A call's answer. Reads are safe to repeat: throttling, a transient error or an account
    /// error (which pauses every plan, rule 4.5) sends the call again after a backoff; past
    /// `retry.maxAttempts` failures, or for any other error, the plan fails with why.
    mutating func answered(_ call: Call, _ result: Result<[Instance], BCCError>, now: Date, retry: RebootdConfig.Retry, random: Double) {
        outstanding -= 1
        switch result {
        case .success(let found):
            if case .list = call { listed = found }
            for instance in found { if let zone = instance.zoneName { zoneById[instance.id] = zone } }
        case .failure(let error):
            let what = if case .list = call { "the list call for select" } else { "the read of the instances' zones" }
            if error.kind != .throttled { failures += 1 }
            guard [.throttled, .transient, .accountFatal].contains(error.kind), failures < retry.maxAttempts || error.kind == .accountFatal else {
                failure = "\(what) failed: \(error.code): \(error.message)"
                return
            }
            calls.insert(call, at: 0)
            let delay = Backoff(baseDelay: retry.baseDelay, maxDelay: retry.maxDelay)
                .delay(attempt: max(1, failures), retryAfter: error.retryAfter.map { min($0, 300) }, random: random)
            notBefore = now + delay
        }
    }

    /// Nothing more to send or to wait for.
    var isDone: Bool { failure != nil || (calls.isEmpty && outstanding == 0) }

    /// The outcome, once `isDone`.
    var outcome: Outcome {
        if let failure { return .failed(failure) }
        var ids = plan.instances
        var seen = Set(ids)
        for instance in listed ?? [] where seen.insert(instance.id).inserted { ids.append(instance.id) }
        let query = plan.select.map { " (select: \($0.summary))" } ?? ""
        guard !ids.isEmpty else { return .failed("select matched no instance\(query)") }
        guard ids.count <= Plan.maxInstances else {
            return .failed("the plan holds \(ids.count) instances with what select matched; at most \(Plan.maxInstances) are allowed\(query)")
        }
        var zones = ids.map { zoneById[$0] ?? "" }
        if plan.zones == .oneAtATime {
            // Stable grouping, zones in the order they first appear; ids with no zone (unknown to
            // the API: their batch-start read skips them) last.
            var order: [String] = []
            var groups: [String: [Int]] = [:]
            for (i, zone) in zones.enumerated() {
                if groups[zone] == nil && !zone.isEmpty { order.append(zone) }
                groups[zone, default: []].append(i)
            }
            if groups[""] != nil { order.append("") }
            let indices = order.flatMap { groups[$0] ?? [] }
            ids = indices.map { ids[$0] }
            zones = indices.map { zones[$0] }
        }
        var resolved = plan
        resolved.instances = ids
        resolved.instanceZones = zones
        let zoneCount = Set(zones.filter { !$0.isEmpty }).count
        let selected = listed.map { "select matched \($0.count); " } ?? ""
        let detail = "\(selected)\(ids.count) instances in \(zoneCount) zone\(zoneCount == 1 ? "" : "s"), \(resolved.layout.summary)\(query)"
        return .resolved(resolved, detail: detail)
    }
}
