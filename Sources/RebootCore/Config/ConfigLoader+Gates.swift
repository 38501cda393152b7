import BCC
import Foundation

/// The `gates`, `gateInterval`, `gateTimeout` and `notify` keys (SPEC §4.14, §4.15, §6).
extension ConfigLoader {
    static let gateKeys = ["prometheus", "query", "http", "command", "timeout"]
    static let notifyKeys = ["url", "urlFile", "format", "events", "name"]
    static let labelPattern = try! NSRegularExpression(pattern: "^[A-Za-z0-9._-]{1,64}$")

    static func readGates(_ m: [String: DataNode], into c: inout RebootdConfig, reader r: NodeReader) {
        if let n = m["gateInterval"], let v = r.duration(n, path: "gateInterval", positive: true) { c.gateInterval = v }
        if let n = m["gateTimeout"], let v = r.duration(n, path: "gateTimeout", positive: true) { c.gateTimeout = v }
        if c.gateInterval > c.gateTimeout {
            r.problem(
                "gateInterval", m["gateInterval"] ?? m["gateTimeout"],
                "(\(DurationParser.format(c.gateInterval))) must not be longer than gateTimeout "
                    + "(\(DurationParser.format(c.gateTimeout))): a blocked gate would be checked once and the plan halted")
        }
        guard let n = m["gates"] else { return }
        guard let map = n.mapping else {
            r.problem("gates", n, "must map gate names to definitions, like { web-healthy: { http: https://web.internal/healthz } }")
            return
        }
        for (k, v) in map {
            guard let name = k.string else {
                r.problem("gates", k, "gate names must be strings")
                continue
            }
            let path = "gates.\(name)"
            guard PlanParser.matches(labelPattern, name) else {
                r.problem(path, k, "a gate name must be 1 to 64 of A-Z a-z 0-9 . _ -")
                continue
            }
            if let gate = readGate(name: name, v, path: path, reader: r) { c.gates[name] = gate }
        }
    }

    static func readGate(name: String, _ node: DataNode, path: String, reader r: NodeReader) -> HealthGate? {
        guard let g = r.mapping(node, path: path, allowed: gateKeys) else { return nil }
        let kinds = ["prometheus", "http", "command"].filter { g[$0] != nil }
        guard kinds.count == 1, let kindKey = kinds.first else {
            r.problem(
                path, node,
                kinds.isEmpty
                    ? "needs exactly one of prometheus (with query), http or command"
                    : "has \(kinds.joined(separator: " and ")); a gate is exactly one kind")
            return nil
        }
        var timeout = HealthGate.defaultTimeout
        if let t = g["timeout"], let v = r.duration(t, path: "\(path).timeout", positive: true) { timeout = v }
        if kindKey != "prometheus", let q = g["query"] { r.problem("\(path).query", q, "only a prometheus gate takes a query") }
        switch kindKey {
        case "prometheus":
            guard let base = gateURL(g["prometheus"]!, path: "\(path).prometheus", reader: r) else { return nil }
            guard let q = g["query"] else {
                r.problem("\(path).query", node, "is required with prometheus: a PromQL query that returns no series when it is safe to go on")
                return nil
            }
            guard let query = r.string(q, path: "\(path).query") else { return nil }
            guard !query.trimmingCharacters(in: .whitespaces).isEmpty else {
                r.problem("\(path).query", q, "must not be empty")
                return nil
            }
            return HealthGate(name: name, kind: .prometheus(base: base, query: query), timeout: timeout)
        case "http":
            guard let url = gateURL(g["http"]!, path: "\(path).http", reader: r) else { return nil }
            return HealthGate(name: name, kind: .http(url), timeout: timeout)
        default:
            let n = g["command"]!
            guard let seq = n.sequence, !seq.isEmpty else {
                r.problem("\(path).command", n, "must be a non-empty list: the program's absolute path, then its arguments (no shell)")
                return nil
            }
            var argv: [String] = []
            for (i, item) in seq.enumerated() {
                guard let s = r.string(item, path: "\(path).command[\(i)]") else { return nil }
                argv.append(s)
            }
            guard argv[0].hasPrefix("/") else {
                r.problem("\(path).command[0]", seq[0], "must be an absolute path (the command runs without a shell or PATH search)")
                return nil
            }
            return HealthGate(name: name, kind: .command(argv), timeout: timeout)
        }
    }

    /// An `http(s)://` URL with a host, for a gate.
    static func gateURL(_ node: DataNode, path: String, reader r: NodeReader) -> URL? {
        guard let s = r.string(node, path: path) else { return nil }
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            r.problem(path, node, "must be an http:// or https:// URL with a host")
            return nil
        }
        return url
    }

    static func readNotify(_ m: [String: DataNode], into c: inout RebootdConfig, reader r: NodeReader) {
        guard let n = m["notify"] else { return }
        guard let seq = n.sequence else {
            r.problem("notify", n, "must be a list of targets, like [{ url: https://hooks.internal/rebootd, format: json }]")
            return
        }
        var labels: Set<String> = []
        for (i, item) in seq.enumerated() {
            let path = "notify[\(i)]"
            guard let t = r.mapping(item, path: path, allowed: notifyKeys) else { continue }
            var label = "\(i)"
            if let v = t["name"], let s = r.string(v, path: "\(path).name") {
                if PlanParser.matches(labelPattern, s) { label = s } else { r.problem("\(path).name", v, "must be 1 to 64 of A-Z a-z 0-9 . _ -") }
            }
            if labels.contains(label) { r.problem("\(path).name", t["name"] ?? item, "\"\(label)\" names two targets") }
            labels.insert(label)
            var format = NotifyTarget.Format.json
            if let v = t["format"], let s = r.string(v, path: "\(path).format") {
                if let f = NotifyTarget.Format(rawValue: s) {
                    format = f
                } else {
                    r.problem("\(path).format", v, "must be one of \(NotifyTarget.Format.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            var events: Set<String>?
            if let v = t["events"] {
                if let list = v.sequence {
                    var chosen: Set<String> = []
                    for (j, e) in list.enumerated() {
                        guard let s = r.string(e, path: "\(path).events[\(j)]") else { continue }
                        if NotifyTarget.eventNames.contains(s) {
                            chosen.insert(s)
                        } else {
                            r.problem("\(path).events[\(j)]", e, "unknown event \"\(s)\"; events: \(NotifyTarget.eventNames.joined(separator: ", "))")
                        }
                    }
                    events = chosen
                    if list.isEmpty { r.problem("\(path).events", v, "is empty: list the events to send, or leave events out for all of them") }
                } else {
                    r.problem("\(path).events", v, "must be a list of events: \(NotifyTarget.eventNames.joined(separator: ", "))")
                }
            }
            let url: URL?
            switch (t["url"], t["urlFile"]) {
            case (let u?, nil): url = r.string(u, path: "\(path).url").flatMap { notifyURL($0, node: u, path: "\(path).url", reader: r) }
            case (nil, let f?): url = r.string(f, path: "\(path).urlFile").flatMap { urlFromFile($0, node: f, path: "\(path).urlFile", reader: r) }
            case (_?, _?):
                r.problem(path, item, "has both url and urlFile; give one")
                url = nil
            case (nil, nil):
                r.problem(path, item, "needs url or urlFile (a file of mode 0600 holding the URL, to keep a token out of the config)")
                url = nil
            }
            if let url { c.notify.append(NotifyTarget(url: url, format: format, events: events, label: label)) }
        }
    }

    /// A target's URL: https://, or http:// to a loopback host. The URL may carry a token, so no
    /// message quotes it.
    static func notifyURL(_ s: String, node: DataNode?, path: String, reader r: NodeReader) -> URL? {
        let text = s.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            scheme == "https" || scheme == "http"
        else {
            r.problem(path, node, "must be an https:// URL with a host (the URL is not shown: it may hold a token)")
            return nil
        }
        guard scheme == "https" || BCCEndpoint.isLoopback(host) else {
            r.problem(path, node, "http:// is only allowed to a loopback address; use https:// (a webhook URL may carry a token)")
            return nil
        }
        return url
    }

    /// Reads a target's URL from `urlFile`: an absolute path, not readable by group or others.
    static func urlFromFile(_ file: String, node: DataNode, path: String, reader r: NodeReader) -> URL? {
        guard file.hasPrefix("/") else {
            r.problem(path, node, "must be an absolute path")
            return nil
        }
        // Not a symlink, not a FIFO (which would hang the start): a small regular file.
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            r.problem(
                path, node,
                "\(file) cannot be opened: \(String(cString: strerror(errno)))\(errno == ELOOP ? " (a symlink; name the file itself)" : "")")
            return nil
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= 4096 else {
            r.problem(path, node, "\(file) must be a regular file of at most 4 KiB holding the URL")
            return nil
        }
        guard info.st_mode & 0o077 == 0 else {
            r.problem(path, node, "\(file) can be read by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(file)")
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        guard read(fd, &bytes, bytes.count) == bytes.count else {
            r.problem(path, node, "\(file) cannot be read")
            return nil
        }
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return notifyURL(line, node: node, path: path, reader: r)
    }
}
