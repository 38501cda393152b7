/// The batches of a plan, computed from the plan alone: index ranges into `instances`, in
/// file order, as `batchSize` says (the last list entry repeats).
public struct BatchLayout: Sendable, Equatable {
    public let batches: [Range<Int>]

    public init(total: Int, batchSize: BatchSize) {
        self.init(total: total, batchSize: batchSize) { _ in total }
    }

    /// `zones: one-at-a-time` (SPEC §2): `zones` gives each instance's zone, the instances
    /// grouped by zone; a batch never crosses a change of zone. The sizes follow `batchSize`
    /// as for the whole plan (a percentage is of the plan), the list going on across zones.
    public init(zones: [String], batchSize: BatchSize) {
        // Where each instance's zone run ends, in one pass from the back (not a scan per batch:
        // 100,000 batches of one would make that quadratic).
        var runEnd = [Int](repeating: zones.count, count: zones.count)
        for i in zones.indices.reversed() where i + 1 < zones.count {
            runEnd[i] = zones[i + 1] == zones[i] ? runEnd[i + 1] : i + 1
        }
        self.init(total: zones.count, batchSize: batchSize) { runEnd[$0] }
    }

    /// Batches in order as `batchSize` says, none crossing `segmentEnd(start)`: where the run of
    /// instances that begins at `start` ends (the whole plan, or a zone).
    private init(total: Int, batchSize: BatchSize, segmentEnd: (Int) -> Int) {
        let steps = batchSize.steps
        var batches: [Range<Int>] = []
        var start = 0
        var stepIndex = 0
        while start < total {
            let step = steps[min(stepIndex, steps.count - 1)]
            // Never start + size: a count near Int.max ([1, 9223372036854775807]) would overflow.
            let end = start + min(step.size(of: total), segmentEnd(start) - start)
            batches.append(start..<end)
            start = end
            stepIndex += 1
        }
        self.batches = batches
    }

    public var sizes: [Int] { batches.map(\.count) }

    /// `1, 10, 50 ×3, 39` — run-length, for `rebootctl validate`.
    public var summary: String {
        var parts: [String] = []
        var i = 0
        let sizes = self.sizes
        while i < sizes.count {
            var j = i
            while j + 1 < sizes.count && sizes[j + 1] == sizes[i] { j += 1 }
            parts.append(j > i ? "\(sizes[i]) ×\(j - i + 1)" : "\(sizes[i])")
            i = j + 1
        }
        return "\(batches.count) batch\(batches.count == 1 ? "" : "es"): " + parts.joined(separator: ", ")
    }
}
