import Foundation

/// The `lease` key (SPEC §4.16, §6).
extension ConfigLoader {
    static let leaseKeys = ["duration", "renewEvery", "margin"]

    static func readLease(_ m: [String: DataNode], into c: inout RebootdConfig, reader r: NodeReader) {
        guard let n = m["lease"] else { return }
        if c.journalLocation == nil {
            c.warnings.append("lease applies only to a PostgreSQL journal (journal: postgresql://…); it is ignored with a SQLite journal")
        }
        guard let lease = r.mapping(n, path: "lease", allowed: leaseKeys) else { return }
        let before = r.problems.count
        if let v = lease["duration"], let d = r.duration(v, path: "lease.duration", positive: true) { c.lease.duration = d }
        if let v = lease["renewEvery"], let d = r.duration(v, path: "lease.renewEvery", positive: true) { c.lease.renewEvery = d }
        if let v = lease["margin"], let d = r.duration(v, path: "lease.margin", positive: true) { c.lease.margin = d }
        guard r.problems.count == before else { return }
        let s = c.lease
        let format = DurationParser.format
        if s.renewEvery >= s.duration {
            r.problem(
                "lease.renewEvery", lease["renewEvery"] ?? lease["duration"] ?? n,
                "(\(format(s.renewEvery))) must be shorter than lease.duration (\(format(s.duration))): the lease would "
                    + "expire before it is renewed")
        } else if s.margin >= s.duration - s.renewEvery {
            r.problem(
                "lease.margin", lease["margin"] ?? n,
                "(\(format(s.margin))) must be shorter than lease.duration − lease.renewEvery (\(format(s.duration - s.renewEvery))): "
                    + "otherwise a leader whose renewal is one interval late could never send a reboot call; lower margin or "
                    + "renewEvery, or raise duration")
        }
    }
}
