import Dispatch
import Foundation
import Logging

/// The spool directory (SPEC §3): plans arrive in `incoming/`, leave for `accepted/` or
/// `rejected/` (with a `.error` beside them); control files in `control/` are applied and
/// removed. Watched with inotify, with a periodic rescan as a safety net.
public final class Spool: @unchecked Sendable {
    public let root: String
    public var incoming: String { root + "/incoming" }
    public var accepted: String { root + "/accepted" }
    public var rejected: String { root + "/rejected" }
    public var control: String { root + "/control" }

    let queue = DispatchQueue(label: "rebootd.spool")
    let parser: PlanParser
    let submit: @Sendable (PlanFile) -> Result<PlanRecord, ValidationError>
    let applyControl: @Sendable (String, String, FileOwner, Date) throws -> String
    let logger: Logger
    private var watcher: InotifyWatcher?
    private var rescan: DispatchSourceTimer?

    public init(
        root: String, parser: PlanParser, logger: Logger,
        submit: @escaping @Sendable (PlanFile) -> Result<PlanRecord, ValidationError>,
        control: @escaping @Sendable (String, String, FileOwner, Date) throws -> String
    ) {
        self.root = root
        self.parser = parser
        self.logger = logger
        self.submit = submit
        self.applyControl = control
    }

    /// Creates the subdirectories that are missing.
    public func createDirectories() throws {
        for dir in [incoming, accepted, rejected, control] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    /// Scans once (synchronously), then watches.
    public func start(rescanInterval: TimeInterval = 5) throws {
        try createDirectories()
        queue.sync { scanAll() }
        watcher = InotifyWatcher(directories: [incoming, control], queue: queue) { [weak self] _ in self?.scanAll() }
        if watcher == nil { logger.warning("inotify unavailable; relying on the rescan every \(rescanInterval)s") }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + rescanInterval, repeating: rescanInterval)
        timer.setEventHandler { @Sendable [weak self] in self?.scanAll() }
        timer.resume()
        rescan = timer
    }

    public func stop() {
        queue.sync {
            watcher?.cancel()
            watcher = nil
            rescan?.cancel()
            rescan = nil
        }
    }

    func scanAll() {
        scanIncoming()
        scanControl()
    }

    static func isIgnored(_ name: String) -> Bool { name.hasPrefix(".") || name.hasSuffix(".tmp") }

    func scanIncoming() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: incoming) else { return }
        for name in names.sorted() where !Self.isIgnored(name) { intake(name) }
    }

    /// Validates one incoming file and moves it to accepted/ or rejected/.
    func intake(_ name: String) {
        let path = incoming + "/" + name
        switch Result(catching: { () throws(ValidationError) in try PlanFile.load(path: path, parser: parser) }) {
        case .failure(let error):
            reject(name, error)
        case .success(let file):
            switch submit(file) {
            case .failure(let error):
                reject(name, error)
            case .success(let record):
                let ext = (name as NSString).pathExtension.lowercased()
                let target = accepted + "/" + record.id + (ext == "json" ? ".json" : ".yaml")
                if rename(path, target) != 0 {
                    logger.error("cannot move \(name) to accepted/: \(String(cString: strerror(errno)))", metadata: ["plan": "\(record.id)"])
                }
            }
        }
    }

    func reject(_ name: String, _ error: ValidationError) {
        var target = rejected + "/" + name
        if FileManager.default.fileExists(atPath: target) || (try? FileManager.default.destinationOfSymbolicLink(atPath: target)) != nil {
            target = rejected + "/" + JournalTime.compact(Date()) + "-" + name
        }
        guard rename(incoming + "/" + name, target) == 0 else {
            logger.error("cannot move \(name) to rejected/: \(String(cString: strerror(errno)))")
            return
        }
        let text = "rebootd rejected \(name) at \(JournalTime.format(Date())):\n"
            + error.problems.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        try? text.write(toFile: target + ".error", atomically: true, encoding: .utf8)
        logger.warning("plan rejected: \(error.problems.count) problem(s)", metadata: ["file": "\(name)", "first": "\(error.problems.first?.description ?? "")"])
    }

    func scanControl() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: control) else { return }
        for name in names.sorted() where !Self.isIgnored(name) {
            let path = control + "/" + name
            let verb = (name as NSString).pathExtension
            let planId = (name as NSString).deletingPathExtension
            let owner = FileOwner.of(path: path) ?? FileOwner(uid: 0, name: "unknown")
            var info = stat()
            let requestedAt = lstat(path, &info) == 0 ? Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)) : Date()
            guard ["pause", "resume", "cancel"].contains(verb), !planId.isEmpty else {
                unlink(path)
                logger.warning("ignored control file \(name): expected PLAN.pause, PLAN.resume or PLAN.cancel")
                continue
            }
            // Applied and journaled first, removed after (SPEC §3): a crash in between applies
            // it again on the next start, which is harmless; the other order could lose a cancel.
            do {
                _ = try applyControl(planId, verb, owner, requestedAt)
                unlink(path)
            } catch {
                logger.error("control \(verb) for \(planId) could not be journaled; keeping the file to apply it again: \(error)")
            }
        }
    }
}
