import BCC
import Foundation

/// The read calls of a preview: the listing of `select` and a describe of the listed ids, 100
/// a call, no faster than `requestsPerSecond` (the config's rate limit, SPEC §4.2; a separate
/// budget from the daemon's, which it adds to while both run). Never a reboot call.
extension PlanPreview {
    public static func gather(plan: Plan, client: BCCClient, requestsPerSecond: Double, now: @escaping @Sendable () -> Date) async throws(BCCError)
        -> PlanPreview
    {
        let spacing = 1 / max(requestsPerSecond, 0.1)
        var listed: [Instance]?
        if let select = plan.select {
            // Each page after the first waits its turn too.
            let result: Result<[Instance], BCCError> = await withCheckedContinuation { done in
                client.listInstances(
                    matching: select.selector,
                    nextPage: { page in DispatchQueue.global().asyncAfter(deadline: .now() + spacing) { page() } },
                    completion: { done.resume(returning: $0) })
            }
            listed = try result.get()
        }
        var described: [Instance] = []
        var start = 0
        while start < plan.instances.count {
            if listed != nil || start > 0 { try? await Task.sleep(nanoseconds: UInt64(spacing * 1e9)) }
            let end = min(start + BCCClient.maxIdsPerCall, plan.instances.count)
            described += try await client.describeMany(Array(plan.instances[start..<end]))
            start = end
        }
        return PlanPreview(plan: plan, listed: listed, described: described, now: now())
    }
}
