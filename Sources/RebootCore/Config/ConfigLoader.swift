import BCC
import Foundation

/// Reads and validates `rebootd.yaml`: unknown keys are errors, every problem is named by key.
public enum ConfigLoader {
    static let keys = [
        "endpoint", "regions", "credentialsFile", "spoolDir", "journal", "rateLimit",
        "maxConcurrentRequests", "maxActivePlans", "pollInterval", "inDoubtGrace", "inDoubtMaxGap", "minRebootTime", "requestTimeout",
        "retry", "shutdownGrace", "metricsFile", "logLevel", "httpClient", "caFile", "proxy",
        "gates", "gateInterval", "gateTimeout", "notify", "lease",
    ]
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// `readURLFiles: false` (rebootctl, run by operators) leaves `notify` targets' `urlFile`
    /// unread: it is the daemon user's secret, mode 0600, and rebootctl posts nothing.
    public static func load(path: String, readURLFiles: Bool = true) throws(ValidationError) -> RebootdConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError(file: path, problems: [ValidationProblem(path: "", message: "cannot read the config file")])
        }
        return try parse(text, file: path, readURLFiles: readURLFiles)
    }

    public static func parse(_ text: String, file: String, readURLFiles: Bool = true) throws(ValidationError) -> RebootdConfig {
        let r = NodeReader()
        var c = RebootdConfig()
        let refused = YAMLDataGuard.check(text)
        guard refused.isEmpty else { throw ValidationError(file: file, problems: refused) }
        let root: DataNode
        switch DataComposer.compose(text) {
        case .failure(let error): throw ValidationError(file: file, problems: error.problems)
        case .success(nil): return c
        case .success(let node?): root = node
        }
        guard let m = r.mapping(root, path: "", allowed: keys) else { throw ValidationError(file: file, problems: r.problems) }

        func url(_ node: DataNode, _ path: String) -> String? {
            guard let s = r.string(node, path: path) else { return nil }
            do {
                _ = try BCCEndpoint(s)
                return s
            } catch {
                r.problem(path, node, "\(error)")
                return nil
            }
        }
        if let n = m["endpoint"], let v = url(n, "endpoint") { c.endpoint = v }
        if let n = m["regions"] {
            if let map = n.mapping {
                for (k, v) in map {
                    guard let key = k.string else { continue }
                    if let u = url(v, "regions.\(key)") { c.regions[key] = u }
                }
            } else {
                r.problem("regions", n, "must map region names to endpoints, like { bj: https://bcc.bj.baidubce.com }")
            }
        }
        for (key, keyPath) in [("credentialsFile", \RebootdConfig.credentialsFile), ("spoolDir", \.spoolDir), ("journal", \.journal)] {
            if let n = m[key], let v = r.string(n, path: key) {
                if v.hasPrefix("/") {
                    c[keyPath: keyPath] = v
                } else if key == "journal", PostgresJournalLocation.isPostgresURL(v) {
                    switch PostgresJournalLocation.parse(v) {
                    case .success(let location):
                        c.journal = v
                        c.journalLocation = location
                    case .failure(let invalid):
                        r.problem(key, n, invalid.description)
                    }
                } else {
                    r.problem(
                        key, n, key == "journal" ? "must be an absolute path (a SQLite file) or a postgresql:// URL" : "must be an absolute path")
                }
            }
        }
        if let n = m["metricsFile"], let v = r.string(n, path: "metricsFile") {
            if v.hasPrefix("/") { c.metricsFile = v } else { r.problem("metricsFile", n, "must be an absolute path") }
        }
        if let n = m["rateLimit"], let rl = r.mapping(n, path: "rateLimit", allowed: ["requestsPerSecond", "burst"]) {
            if let v = rl["requestsPerSecond"] {
                let number =
                    v.tag == .int
                    ? v.scalar.flatMap { NodeReader.integer($0.string) }.map(Double.init)
                    : v.tag == .float ? v.float : nil
                if let d = number, d.isFinite, d > 0, d <= 1_000_000 {
                    c.rateLimit.requestsPerSecond = d
                } else {
                    r.problem("rateLimit.requestsPerSecond", v, "must be a number greater than 0 and at most 1000000")
                }
            }
            if let v = rl["burst"], let b = r.int(v, path: "rateLimit.burst", min: 0) { c.rateLimit.burst = b }
        }
        if let n = m["maxConcurrentRequests"], let v = r.int(n, path: "maxConcurrentRequests", min: 1) { c.maxConcurrentRequests = v }
        if let n = m["maxActivePlans"], let v = r.int(n, path: "maxActivePlans", min: 1) { c.maxActivePlans = v }
        if let n = m["pollInterval"], let v = r.duration(n, path: "pollInterval", positive: true) { c.pollInterval = v }
        if let n = m["inDoubtGrace"], r.duration(n, path: "inDoubtGrace") != nil {
            c.warnings.append(
                "inDoubtGrace is retired and ignored: a call in doubt is now resolved by readings up to its "
                    + "effect deadline plus minRebootTime (SPEC §4.8); remove the key")
        }
        if let n = m["minRebootTime"], let v = r.duration(n, path: "minRebootTime", positive: true) { c.minRebootTime = v }
        if let n = m["inDoubtMaxGap"], let v = r.duration(n, path: "inDoubtMaxGap", positive: true) { c.inDoubtMaxGap = v }
        if let n = m["requestTimeout"], let v = r.duration(n, path: "requestTimeout", positive: true) { c.requestTimeout = v }
        if let n = m["shutdownGrace"], let v = r.duration(n, path: "shutdownGrace") { c.shutdownGrace = v }
        if let n = m["retry"], let rt = r.mapping(n, path: "retry", allowed: ["maxAttempts", "baseDelay", "maxDelay"]) {
            if let v = rt["maxAttempts"], let a = r.int(v, path: "retry.maxAttempts", min: 1) { c.retry.maxAttempts = a }
            if let v = rt["baseDelay"], let d = r.duration(v, path: "retry.baseDelay") { c.retry.baseDelay = d }
            if let v = rt["maxDelay"], let d = r.duration(v, path: "retry.maxDelay") { c.retry.maxDelay = d }
        }
        if let n = m["httpClient"], let v = r.string(n, path: "httpClient") {
            if let client = RebootdConfig.HTTPClient(rawValue: v) {
                c.httpClient = client
            } else {
                r.problem("httpClient", n, "must be nio (AsyncHTTPClient, the default) or curl (URLSession on libcurl)")
            }
        }
        if let n = m["proxy"], let v = r.string(n, path: "proxy") {
            if ProxySettings(url: v) != nil {
                c.proxy = v
            } else {
                r.problem("proxy", n, "must be http://HOST:PORT (an HTTP proxy; https goes through it with CONNECT)")
            }
        }
        if let n = m["caFile"], let v = r.string(n, path: "caFile") {
            switch AsyncHTTPClientTransport.loadCAFile(v) {
            case .success: c.caFile = v
            case .failure(let failure):
                if case .notSent(let why) = failure { r.problem("caFile", n, "\(v) \(why)") }
            }
        }
        if let n = m["logLevel"], let v = r.string(n, path: "logLevel") {
            if logLevels.contains(v) { c.logLevel = v } else { r.problem("logLevel", n, "must be one of \(logLevels.joined(separator: ", "))") }
        }
        readLease(m, into: &c, reader: r)
        readGates(m, into: &c, reader: r)
        if readURLFiles { readNotify(m, into: &c, reader: r) }
        if r.problems.isEmpty && c.requestTimeout + c.pollInterval >= c.inDoubtMaxGap {
            r.problem(
                "inDoubtMaxGap", m["inDoubtMaxGap"],
                "requestTimeout (\(c.requestTimeout)s) + pollInterval (\(c.pollInterval)s) must be "
                    + "shorter than inDoubtMaxGap (\(c.inDoubtMaxGap)s): otherwise the polls that resolve a call in doubt "
                    + "(SPEC §4.8) can never come close enough together; lower requestTimeout or pollInterval, or raise inDoubtMaxGap")
        }
        if c.proxy != nil && c.httpClient == .curl {
            r.problem(
                "proxy", m["proxy"],
                "works with httpClient: nio only (URLSession on Linux does not pass it to libcurl); with curl, set https_proxy/no_proxy in the service's environment instead"
            )
        }
        if c.caFile != nil && c.httpClient == .curl {
            r.problem(
                "caFile", m["caFile"],
                "works with httpClient: nio only (URLSession on Linux cannot add trust roots); remove httpClient: curl, or install the CA in the system store"
            )
        }
        guard r.problems.isEmpty else { throw ValidationError(file: file, problems: r.problems) }
        return c
    }
}
