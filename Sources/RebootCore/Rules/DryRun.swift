import Foundation

/// SPEC §4.11: a dry run calls nothing. It journals each batch with the time it would start
/// (after `startAfter`, inside the window, the pauses between batches, on the wall clock at
/// submission), checks its health gates once, and ends with every instance `skipped`, reason
/// `dry run`.
enum DryRun {
    /// Every instance of a dry run ends with this reason.
    static let reason = "dry run"

    /// The `dry-run` events' details: one per batch, with its first five ids.
    static func schedule(_ plan: Plan, batches: [Range<Int>], from start: Date) -> [String] {
        var t = max(start, plan.startAfter ?? start)
        return batches.enumerated().map { b, range in
            if let window = plan.window, let open = window.nextOpening(after: t) { t = open }
            defer { t += plan.pauseBetweenBatches }
            let ids = plan.instances[range].prefix(5).joined(separator: ",") + (range.count > 5 ? ",…" : "")
            return "batch \(b + 1)/\(batches.count) of \(range.count) would start at \(JournalTime.format(t)): \(ids)"
        }
    }
}
