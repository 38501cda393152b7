import Foundation

/// What `rebootctl resubmit` makes of a plan that has ended (SPEC §7): a new plan of the
/// instances that did not reboot, in their original order, with the original's settings (its
/// journaled parameters), a name derived from the original's and a ticket pointing back to it.
/// Its YAML is for review: the daemon's parser accepts it as it is.
public struct Resubmission: Sendable {
    /// How an instance that did not reboot ended: what `--only` selects.
    public enum Kind: String, Sendable, CaseIterable {
        case failed, skipped, cancelled
        /// Failed with reason `in-doubt`: its call may have rebooted it unseen (rule 4.8).
        case inDoubt = "in-doubt"
    }

    /// Why there is nothing to resubmit.
    public enum Refusal: Error, Equatable, Sendable {
        /// The plan has not ended (its state): what it leaves is not known yet.
        case notEnded(String)
        /// Every instance rebooted.
        case nothingLeft
        /// The plan journaled no instance: its selection was never resolved (it was cancelled
        /// before it started, or matched nothing).
        case noInstances
        /// There are leftovers, none of the kinds asked for: how many of each kind there are.
        case noneOfKinds([Kind: Int])
    }

    /// One instance that did not reboot.
    public struct Leftover: Sendable, Equatable {
        public var id: String
        public var state: String
        /// Nil for an instance a plan ended without ending (a plan that failed before it ran).
        public var kind: Kind?
        public var reason: String?
    }

    /// The original plan's id.
    public let originalId: String
    /// The plan to submit.
    public let plan: Plan
    /// Its instances, with how each ended in the original.
    public let leftovers: [Leftover]
    /// The original's checkpoints after batches the new plan does not have (or after its last).
    public let droppedCheckpoints: [Int]

    /// The leftovers of `record` (its decoded parameters are `original`, its rows `rows`):
    /// every instance that did not end `rebooted` but those in doubt, or with `only` those of
    /// these kinds. A call in doubt may have rebooted its instance: it is resubmitted only when
    /// asked for by name (`--only in-doubt`), after the operator has looked.
    public init(of record: PlanRecord, plan original: Plan, instances rows: [PlanInstanceRecord], only: Set<Kind>? = nil) throws(Refusal) {
        guard PlanState(rawValue: record.state)?.isTerminal == true else { throw .notEnded(record.state) }
        guard !rows.isEmpty else { throw .noInstances }
        let all = rows.sorted { $0.idx < $1.idx }.filter { $0.state != InstanceState.rebooted.rawValue }.map {
            Leftover(id: $0.instanceId, state: $0.state, kind: Self.kind(of: $0), reason: $0.endReason)
        }
        guard !all.isEmpty else { throw .nothingLeft }
        let chosen = only.map { kinds in all.filter { $0.kind.map(kinds.contains) ?? false } } ?? all.filter { $0.kind != .inDoubt }
        guard !chosen.isEmpty else {
            var counts: [Kind: Int] = [:]
            for l in all { if let k = l.kind { counts[k, default: 0] += 1 } }
            throw .noneOfKinds(counts)
        }
        var plan = original
        plan.instances = chosen.map(\.id)
        // The leftovers are explicit ids: what `select` matched is resolved into them, and the
        // zones the original learned are learned again when the new plan starts.
        plan.select = nil
        plan.instanceZones = nil
        plan.name = Self.name(after: original.name)
        plan.ticket = Self.ticket(after: original.ticket ?? record.ticket, planId: record.id)
        // Checkpoints after batches the smaller plan no longer has would be refused; when its
        // batches are laid out at its start (zones one at a time), they are kept as they were.
        var dropped: [Int] = []
        if let checkpoints = plan.checkpoints, !plan.needsResolution {
            let batches = plan.layout.batches.count
            dropped = checkpoints.filter { $0 >= batches }
            let kept = checkpoints.filter { $0 < batches }
            plan.checkpoints = kept.isEmpty ? nil : kept
        }
        droppedCheckpoints = dropped
        originalId = record.id
        self.plan = plan
        leftovers = chosen
    }

    /// How `row` ended, when it did and did not reboot.
    public static func kind(of row: PlanInstanceRecord) -> Kind? {
        switch InstanceState(rawValue: row.state) {
        case .failed?: row.lastError == InstanceRun.inDoubtReason ? .inDoubt : .failed
        case .skipped?: .skipped
        case .cancelled?: .cancelled
        default: nil
        }
    }

    /// `kernel` → `kernel-retry` → `kernel-retry2` → `kernel-retry3`, within the 64 characters
    /// of a name.
    public static func name(after name: String) -> String {
        var base = name
        var next = 1
        if let range = name.range(of: #"-retry[0-9]{0,6}$"#, options: .regularExpression) {
            base = String(name[..<range.lowerBound])
            next = (Int(name[range].dropFirst(6)) ?? 1) + 1
        }
        let suffix = next == 1 ? "-retry" : "-retry\(next)"
        return String(base.prefix(64 - suffix.count)) + suffix
    }

    /// `CHG-42 (resubmit of PLAN)`, or `resubmit of PLAN` when the original had no ticket: the
    /// original's own pointer to its original is replaced, and a ticket that would pass the
    /// 128 code points is cut, with an ellipsis, before the pointer.
    public static func ticket(after original: String?, planId: String) -> String {
        let pointer = "resubmit of \(planId)"
        let limit = PlanParser.maxTicketLength
        var base = original ?? ""
        if let range = base.range(of: #"\s*\(resubmit of [^()]*\)$"#, options: .regularExpression) {
            base = String(base[..<range.lowerBound])
        }
        guard !base.unicodeScalars.allSatisfy(\.properties.isWhitespace) else { return String(pointer.unicodeScalars.prefix(limit)) }
        let room = limit - pointer.unicodeScalars.count - 3
        if base.unicodeScalars.count > room {
            var cut = String(String.UnicodeScalarView(base.unicodeScalars.prefix(max(0, room - 1))))
            while cut.unicodeScalars.last?.properties.isWhitespace == true { cut.unicodeScalars.removeLast() }
            base = cut + "…"
        }
        return String(String.UnicodeScalarView("\(base) (\(pointer))".unicodeScalars.prefix(limit)))
    }

    /// `3 instances (1 failed, 2 skipped)`.
    public var summary: String {
        var counts: [String: Int] = [:]
        for l in leftovers { counts[l.kind?.rawValue ?? l.state, default: 0] += 1 }
        let order = Kind.allCases.map(\.rawValue) + InstanceState.allCases.map(\.rawValue)
        let parts = order.compactMap { k in counts.removeValue(forKey: k).map { "\($0) \(k)" } }
        return "\(leftovers.count) instance\(leftovers.count == 1 ? "" : "s") (\(parts.joined(separator: ", ")))"
    }

    /// The plan file, for review: a header saying where it comes from, and after each instance
    /// how it ended in the original.
    public var yaml: String {
        var header = [
            "rebootctl resubmit: \(summary) of plan \(originalId) that did not reboot,",
            "in their original order, with its settings. Review, then: rebootctl submit FILE",
        ]
        if !droppedCheckpoints.isEmpty {
            let batches = plan.layout.batches.count
            header.append(
                "checkpoints after batch \(droppedCheckpoints.map(String.init).joined(separator: ", ")) dropped: this plan has \(batches) batch\(batches == 1 ? "" : "es")"
            )
        }
        let notes = leftovers.map { l in "\(l.kind?.rawValue ?? l.state)" + (l.reason.map { ": \($0)" } ?? "") }
        return PlanYAMLWriter.yaml(plan, header: header, notes: notes)
    }
}
