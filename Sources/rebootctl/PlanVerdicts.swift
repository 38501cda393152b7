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

    /// Why `path` cannot even be read as a plan: no such file (66) or permission denied (77);
    /// nil when it can be opened (what it holds is then the parser's to judge, 65).
    static func unreadable(_ path: String) -> CtlError.Kind? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd < 0 else {
            close(fd)
            return nil
        }
        switch errno {
        case ENOENT, ENOTDIR: return .noSuchPlan
        case EACCES, EPERM: return .permissionDenied
        default: return nil
        }
    }

    /// The exit code of a rejection of `path`: 66 for a file that is not there, 77 for one
    /// that cannot be read, 65 for a bad plan (SPEC §7).
    static func exitCode(rejecting path: String) -> Int32 { (unreadable(path) ?? .badPlan).rawValue }

    func check(_ path: String) -> Result<PlanFile, RebootCore.ValidationError> {
        do {
            let file = try PlanFile.load(path: path, parser: parser)
            if let active = activeHashes[file.sha256] {
                return .failure(
                    .init(file: file.fileName, problems: [.init(path: "", message: "the same content is already active as plan \(active)")]))
            }
            return .success(file)
        } catch {
            return .failure(error)
        }
    }

    static func describe(_ file: PlanFile, file path: String) -> String {
        let p = file.plan
        var lines = ["\(SafeText.escaped(path)): OK — plan \"\(p.name)\", \(p.instances.count) instances, \(p.layout.summary)"]
        var sizes = p.layout.sizes.prefix(12).map(String.init).joined(separator: " ")
        if p.layout.sizes.count > 12 { sizes += " …" }
        lines.append("  batches: \(sizes)")
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
