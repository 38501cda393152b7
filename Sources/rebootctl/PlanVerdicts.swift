import ArgumentParser
import Foundation
import RebootCore

/// Loads plan files with the daemon's parser (regions from the config) and its duplicate check.
struct PlanVerdicts {
    let parser: PlanParser
    let activeHashes: [String: String]

    init(options: ConfigOptions) {
        let config = try? options.load()
        if config == nil {
            FileHandle.standardError.write(Data("note: cannot read \(options.config); regions, gates and duplicates are not checked\n".utf8))
        }
        parser = config.map { PlanParser(config: $0) } ?? PlanParser()
        activeHashes = (try? options.journal().activeHashes()) ?? [:]
    }

    /// Why `path` cannot even be read as a plan: no such file (66), or a file this user may not
    /// read (77); nil when it is there and readable, or is something the loader refuses with
    /// its own reason (a symbolic link, a directory: a bad plan, 65). Nothing is opened here.
    static func unreadable(_ path: String) -> CtlError.Kind? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .noSuchPlan : nil }
        guard st.st_mode & S_IFMT == S_IFREG else { return nil }
        return access(path, R_OK) != 0 && (errno == EACCES || errno == EPERM) ? .permissionDenied : nil
    }

    /// The one-line error for a file that cannot be read at all, nil for a plan to judge.
    static func readError(_ path: String) -> CtlError? {
        switch unreadable(path) {
        case .noSuchPlan?: CtlError(.noSuchPlan, "no plan file \(SafeText.escaped(path)): check the path")
        case .permissionDenied?: CtlError(.permissionDenied, "cannot read \(SafeText.escaped(path)): permission denied; make it readable to you")
        default: nil
        }
    }

    func check(_ path: String, duplicates: Bool = true) -> Result<PlanFile, RebootCore.ValidationError> {
        do {
            let file = try PlanFile.load(path: path, parser: parser)
            return duplicates ? notActive(file) : .success(file)
        } catch {
            return .failure(error)
        }
    }

    /// The verdict on a plan not on disk (yet): `data`, as if read from `path`, owned by this user.
    func check(data: Data, path: String) -> Result<PlanFile, RebootCore.ValidationError> {
        do { return notActive(try PlanFile.load(data: data, path: path, owner: FileOwner(uid: getuid()), parser: parser)) } catch {
            return .failure(error)
        }
    }

    /// `file`, unless the same content is active already.
    func notActive(_ file: PlanFile) -> Result<PlanFile, RebootCore.ValidationError> {
        guard let active = activeHashes[file.sha256] else { return .success(file) }
        return .failure(.init(file: file.fileName, problems: [.init(path: "", message: "the same content is already active as plan \(active)")]))
    }

    static func describe(_ file: PlanFile, file path: String) -> String {
        let p = file.plan
        var lines: [String]
        if p.needsResolution {
            // The layout needs what the plan learns when it starts: say what is known now.
            let listed = p.instances.isEmpty ? "" : "\(p.instances.count) instances listed, "
            lines = ["\(SafeText.escaped(path)): OK — plan \"\(p.name)\", \(listed)batches laid out when it starts"]
            if let select = p.select { lines.append("  select: \(SafeText.escaped(select.summary)) (rebootctl preview shows what it matches now)") }
        } else {
            lines = ["\(SafeText.escaped(path)): OK — plan \"\(p.name)\", \(p.instances.count) instances, \(p.layout.summary)"]
            var sizes = p.layout.sizes.prefix(12).map(String.init).joined(separator: " ")
            if p.layout.sizes.count > 12 { sizes += " …" }
            lines.append("  batches: \(sizes)")
        }
        if let t = p.ticket { lines.insert("  ticket: \(SafeText.escaped(t))", at: 1) }
        if p.zones == .oneAtATime {
            lines.append("  zones: one at a time, \(DurationParser.format(p.pauseBetweenZones ?? p.pauseBetweenBatches)) between zones")
        }
        if let c = p.checkpoints { lines.append("  checkpoints: pause for an approval after batch \(c.map(String.init).joined(separator: ", "))") }
        lines.append(
            "  forceStop \(p.forceStop), pause \(DurationParser.format(p.pauseBetweenBatches)), maxFailures \(p.maxFailures), rebootTimeout \(DurationParser.format(p.rebootTimeout)), 409 retry \(p.conflictRetry.maxAttempts)× within \(DurationParser.format(p.conflictRetry.timeout))"
        )
        if let w = p.window { lines.append("  window: \(w.summary)") }
        if let s = p.startAfter { lines.append("  startAfter: \(JournalTime.format(s))") }
        if let r = p.region { lines.append("  region: \(SafeText.escaped(r))") }
        if let g = p.healthGates { lines.append("  health gates: \(g.map(SafeText.escaped).joined(separator: ", "))") }
        if p.dryRun { lines.append("  dry run: nothing will be called") }
        return lines.joined(separator: "\n")
    }
}
