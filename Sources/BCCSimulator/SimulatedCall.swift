/// Which BCC call a simulator request is, decided from method, path and query.
public enum SimulatedCall: String, Sendable {
    case reboot
    case describe
    case describeMany
    case batchReboot
    case admin
    case unsupported

    static func classify(method: String, path: String, query: [(String, String?)]) -> (SimulatedCall, String?) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let hasReboot = query.contains { $0.0 == "reboot" }
        switch (method, segments.count) {
        case ("GET", 2) where segments == ["v2", "instance"]:
            return (.describeMany, nil)
        case ("GET", 3) where segments[0] == "v2" && segments[1] == "instance":
            return (.describe, segments[2])
        case ("PUT", 3) where segments[0] == "v2" && segments[1] == "instance" && hasReboot:
            return segments[2] == "batchAction" ? (.batchReboot, nil) : (.reboot, segments[2])
        default:
            return (.unsupported, nil)
        }
    }
}
