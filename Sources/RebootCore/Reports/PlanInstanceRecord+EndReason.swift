/// Why an instance ended as it did, for `status PLAN --json`, the report and `resubmit`.
extension PlanInstanceRecord {
    /// For an instance that ended without rebooting (`failed`, `skipped`, `cancelled`), its
    /// reason as the journal keeps it (SPEC §4, "Instance states"): the end writes it into
    /// `lastError` (the API's error code, `timeout`, `in-doubt`, `NotFound`, the status that
    /// skipped it, `plan halted`, `plan cancelled`), else a failure or skip gives the last
    /// status read, and an instance of a plan cancelled before it started (it has neither)
    /// `plan cancelled`. Nil for an instance that rebooted or has not ended.
    public var endReason: String? {
        switch InstanceState(rawValue: state) {
        case .failed?, .skipped?: lastError ?? lastStatus
        case .cancelled?: lastError ?? PlanStop.cancel.leftReason
        default: nil
        }
    }
}
