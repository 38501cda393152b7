/// Who may write plan state to a shared journal (SPEC §4.16), as the daemon's lease keeper sets
/// it. A PostgreSQL journal checks it in every transaction that commits queued writes.
public enum LeaseFence: Sendable, Equatable {
    /// No lease applies (tests and tools on one host): every write commits.
    case unfenced
    /// This host leads `epoch` as `holder`: each transaction reads the lease row `FOR SHARE`
    /// first; reboot attempts are journaled only with more than `margin` seconds left.
    case leading(epoch: Int64, holder: String, margin: Double)
    /// Standing by, or stepped down: only attempts' outcomes (facts about calls already sent)
    /// commit; any other queued write is dropped, and no attempt is journaled.
    case standingBy
}
