import Dispatch
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The spool directory (SPEC §3): plans arrive in `incoming/`, leave for `accepted/` or
/// `rejected/` (with a `.error` beside them); control files in `control/` are applied and
/// removed. Watched with inotify, with a periodic rescan as a safety net.
///
/// Plan intake and control files are served on two queues, so a slow parse never delays a
/// cancel. Every file is opened relative to a directory descriptor, without following links
/// and without blocking; a file written in place is read only once it has not changed for
/// `settleTime`; a file taken in is remembered in the journal (`intake`) and never submitted
/// twice, even when it cannot be moved out of `incoming/`.
public final class Spool: @unchecked Sendable {
    public let layout: SpoolLayout
    public var root: String { layout.root }
    public var incoming: String { layout.incoming }
    public var accepted: String { layout.accepted }
    public var rejected: String { layout.rejected }
    public var control: String { layout.control }

    /// Serves plan files.
    let queue = DispatchQueue(label: "rebootd.spool.intake")
    /// Serves control files, never behind a plan.
    let controlQueue = DispatchQueue(label: "rebootd.spool.control")
    /// Read and replaced on the intake queue only (`updateParser`).
    private(set) var parser: PlanParser
    let journal: (any JournalStore)?
    let submit: @Sendable (PlanFile, IntakeKey?) -> SubmitOutcome
    let applyControl: @Sendable (String, String, FileOwner, Date) throws -> String
    let logger: Logger
    /// How long a file written in place must stay unchanged before it is read.
    public var settleTime: TimeInterval = 0.5
    /// The file intake is reading (its content hash and name), for the watchdog.
    public let intakeHeartbeat = WorkerHeartbeat<IntakeItem>()

    /// What intake is working on: enough to refuse the same content after a watchdog restart.
    public struct IntakeItem: Sendable, Equatable {
        public let sha256: String
        public let fileName: String
    }

    private var intakeWatcher: InotifyWatcher?
    private var controlWatcher: InotifyWatcher?
    private var rescan: DispatchSourceTimer?
    private var controlRescan: DispatchSourceTimer?

    /// Files written in place, by name: what they looked like and since when (intake queue only).
    private var settling: [String: (signature: Signature, since: DispatchTime)] = [:]
    private var settleCheckScheduled = false
    /// Subdirectories refused (a symlink, not a directory): logged once until they are fixed.
    private let refusedLock = NSLock()
    private var refusedDirs: Set<String> = []

    struct Signature: Equatable {
        let inode: UInt64, size: Int64, mtimeNs: Int64, ctimeNs: Int64
    }

    public init(
        root: String, parser: PlanParser, logger: Logger, journal: (any JournalStore)? = nil,
        submit: @escaping @Sendable (PlanFile, IntakeKey?) -> SubmitOutcome,
        control: @escaping @Sendable (String, String, FileOwner, Date) throws -> String
    ) {
        layout = SpoolLayout(root: root)
        self.parser = parser
        self.logger = logger
        self.journal = journal
        intakeHeartbeat.onRecovered = { [journal, logger] item in
            // Finished after all: no restart will follow, so the content is not refused later.
            do { try journal?.clearIntakeStall(sha256: item.sha256) } catch {
                logger.error("cannot clear the stall record of \(SafeText.escaped(item.fileName)): \(error)")
            }
        }
        self.submit = submit
        self.applyControl = control
    }

    /// A config reload changed the gates plans may name: files read from now on use `new`.
    public func updateParser(_ new: PlanParser) { queue.async { self.parser = new } }

    // MARK: Directories

    /// Creates the subdirectories that are missing (at start, and whenever one has gone).
    public func createDirectories() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        guard let dirs = openDirectories(SpoolLayout.Subdirectory.allCases) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: root])
        }
        dirs.close()
    }

    /// Descriptors of the spool root and of some subdirectories (opened `O_DIRECTORY|O_NOFOLLOW`).
    final class Directories {
        let root: Int32
        var fds: [SpoolLayout.Subdirectory: Int32] = [:]
        init(root: Int32) { self.root = root }
        subscript(_ sub: SpoolLayout.Subdirectory) -> Int32? { fds[sub] }
        func close() {
            for fd in fds.values { _ = Glibc.close(fd) }
            fds = [:]
            _ = Glibc.close(root)
        }
    }

    static let modes: [SpoolLayout.Subdirectory: mode_t] = [.incoming: 0o3770, .control: 0o3770, .accepted: 0o2750, .rejected: 0o2750]

    /// Opens the root and `subs`, recreating those that are missing. A subdirectory that is not
    /// a directory (a symlink planted in its place) is refused and logged at error level; it is
    /// then absent from the result. Nil when the root itself cannot be opened.
    func openDirectories(_ subs: [SpoolLayout.Subdirectory]) -> Directories? {
        let rootFd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFd >= 0 else {
            logger.error("cannot open the spool directory \(root): \(String(cString: strerror(errno)))")
            return nil
        }
        let dirs = Directories(root: rootFd)
        for sub in subs {
            var fd = openat(rootFd, sub.rawValue, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && errno == ENOENT {
                let mode = Self.modes[sub] ?? 0o750
                if mkdirat(rootFd, sub.rawValue, mode) == 0 || errno == EEXIST {
                    fd = openat(rootFd, sub.rawValue, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if fd >= 0 {
                        // The group of the root (rebootd-submit) and the setgid/sticky bits, as tmpfiles sets them.
                        var info = stat()
                        if fstat(rootFd, &info) == 0 { _ = fchown(fd, uid_t.max, info.st_gid) }
                        _ = fchmod(fd, mode)
                        logger.warning("recreated the missing spool subdirectory \(sub.rawValue)/")
                        if sub == .incoming { intakeWatcher?.watch(incoming) }
                        if sub == .control { controlWatcher?.watch(control) }
                    }
                }
            }
            if fd >= 0 {
                dirs.fds[sub] = fd
                refusedLock.lock()
                refusedDirs.remove(sub.rawValue)
                refusedLock.unlock()
            } else {
                let reason =
                    errno == ELOOP || errno == ENOTDIR
                    ? "is not a directory (a symbolic link or a file in its place); refusing it"
                    : String(cString: strerror(errno))
                refusedLock.lock()
                let first = refusedDirs.insert(sub.rawValue).inserted
                refusedLock.unlock()
                if first || sub == .incoming || sub == .control {
                    logger.error("spool subdirectory \(root)/\(sub.rawValue) \(reason)")
                }
            }
        }
        return dirs
    }

    /// The non-temporary names in a directory descriptor, sorted.
    static func names(in dirFd: Int32) -> [String] {
        let dup = fcntl(dirFd, F_DUPFD_CLOEXEC, 0)
        guard dup >= 0, let stream = fdopendir(dup) else { return [] }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." && !SpoolLayout.isTemporary(name) { names.append(name) }
        }
        return names.sorted()
    }

    // MARK: Lifecycle

    /// Scans once (synchronously), controls first (SPEC §4.10: those waiting at start are
    /// applied before anything else), then plans; then watches.
    public func start(rescanInterval: TimeInterval = 5) throws {
        try createDirectories()
        controlQueue.sync { scanControl() }
        queue.sync { scanIncoming() }
        intakeWatcher = InotifyWatcher(directories: [incoming], queue: queue) { [weak self] events in
            self?.handleIncoming(events)
        }
        controlWatcher = InotifyWatcher(directories: [control], queue: controlQueue) { [weak self] _ in
            self?.scanControl()
        }
        if intakeWatcher == nil || controlWatcher == nil {
            logger.warning("inotify unavailable; relying on the rescan every \(rescanInterval)s")
        }
        rescan = timer(on: queue, every: rescanInterval) { $0.scanIncoming() }
        controlRescan = timer(on: controlQueue, every: rescanInterval) { $0.scanControl() }
    }

    private func timer(on queue: DispatchQueue, every interval: TimeInterval, _ body: @escaping @Sendable (Spool) -> Void) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { @Sendable [weak self] in if let self { body(self) } }
        timer.resume()
        return timer
    }

    public func stop() {
        controlQueue.sync {
            controlWatcher?.cancel()
            controlWatcher = nil
            controlRescan?.cancel()
            controlRescan = nil
        }
        queue.sync {
            intakeWatcher?.cancel()
            intakeWatcher = nil
            rescan?.cancel()
            rescan = nil
        }
    }

    // MARK: Plan intake (on `queue`)

    func handleIncoming(_ events: [InotifyWatcher.Event]) {
        for event in events {
            switch event.kind {
            case .overflow:
                scanIncoming()
            case .movedIn where !SpoolLayout.isTemporary(event.name):
                // Arrived by rename: complete, read at once.
                settling[event.name] = nil
                withDirectories { intake(event.name, $0) }
            case .written where !SpoolLayout.isTemporary(event.name):
                withDirectories { observe(event.name, $0) }
            default:
                break
            }
        }
    }

    private func withDirectories(_ body: (Directories) -> Void) {
        guard let dirs = openDirectories([.incoming, .accepted, .rejected]) else { return }
        defer { dirs.close() }
        guard dirs[.incoming] != nil else { return }
        body(dirs)
    }

    /// The periodic rescan: every file is treated as written in place (read once settled); files
    /// taken in but not moved yet are recognized by their intake key and moved.
    func scanIncoming() {
        withDirectories { dirs in
            guard let incomingFd = dirs[.incoming] else { return }
            let names = Self.names(in: incomingFd)
            let present = Set(names)
            settling = settling.filter { present.contains($0.key) }
            for name in names { observe(name, dirs) }
        }
    }

    /// Notes what `name` looks like; reads it once it has not changed for `settleTime`.
    func observe(_ name: String, _ dirs: Directories) {
        guard let incomingFd = dirs[.incoming] else { return }
        var info = stat()
        guard fstatat(incomingFd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            settling[name] = nil
            return
        }
        let s = FileSnapshot(info)
        let signature = Signature(inode: s.inode, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs)
        let now = DispatchTime.now()
        if let seen = settling[name], seen.signature == signature {
            if now.uptimeNanoseconds - seen.since.uptimeNanoseconds >= UInt64(settleTime * 1e9) {
                settling[name] = nil
                intake(name, dirs)
                return
            }
        } else {
            settling[name] = (signature, now)
        }
        scheduleSettleCheck()
    }

    private func scheduleSettleCheck() {
        guard !settleCheckScheduled else { return }
        settleCheckScheduled = true
        queue.asyncAfter(deadline: .now() + min(settleTime, 0.1) + 0.01) { @Sendable [weak self] in
            guard let self else { return }
            self.settleCheckScheduled = false
            guard !self.settling.isEmpty else { return }
            let names = Array(self.settling.keys).sorted()
            self.withDirectories { dirs in for name in names { self.observe(name, dirs) } }
        }
    }

    /// Reads one incoming file, checks it, submits it, and moves it to accepted/ or rejected/.
    func intake(_ name: String, _ dirs: Directories) {
        guard let incomingFd = dirs[.incoming], let (key, outcome) = readAndSubmit(name, incomingFd, dirs) else { return }
        // The file's text and parsed plan are gone by now (a 100,000-id plan holds MBs while
        // the scheduler builds its instances: issue 10's peak memory).
        switch outcome {
        case .rejected(let error):
            reject(name, from: incomingFd, dirs, error)
        case .journalUnavailable(let message):
            logger.error("plan file \(name) is valid but the journal cannot be written; leaving it in incoming/ to try again: \(message)")
        case .accepted(let record):
            moveAccepted(name, planId: record.id, key: key, dirs)
        }
    }

    /// `intake` up to the submission: nil when the file was dealt with on the way (gone,
    /// refused, taken in before, invalid).
    private func readAndSubmit(_ name: String, _ incomingFd: Int32, _ dirs: Directories) -> (IntakeKey, SubmitOutcome)? {
        let data: Data
        let snapshot: FileSnapshot
        switch SpoolFileReader.read(name, in: incomingFd) {
        case .gone:
            return nil
        case .refused(let reason):
            reject(name, from: incomingFd, dirs, ValidationError(file: name, problems: [ValidationProblem(path: "", message: reason)]))
            return nil
        case .read(let d, let s):
            data = d
            snapshot = s
        }
        let key = IntakeKey(snapshot, sha256: PlanFile.sha256Hex(data))
        if let journal {
            do {
                if let known = try journal.intake(key) {
                    // Taken in before and not moved out (accepted/ was gone, unwritable, a full disk).
                    moveAccepted(name, planId: known.planId, key: key, dirs)
                    return nil
                }
            } catch {
                logger.error("cannot read the journal to check \(name); leaving it in incoming/ to try again: \(error)")
                return nil
            }
        }
        if let stalled = try? journal?.intakeStall(sha256: key.sha256) {
            let message = String(
                format:
                    "reading this content stalled plan intake for %.0f s, and rebootd's watchdog restarted it; refused so that it cannot stall intake again (remove what makes it slow, or report it)",
                stalled)
            reject(name, from: incomingFd, dirs, ValidationError(file: name, problems: [ValidationProblem(path: "", message: message)]))
            return nil
        }
        // Only the parse is timed for the watchdog: the submission waits on the scheduler and
        // the journal, whose stalls are not this file's fault (and stop the pings on their own).
        let loaded = intakeHeartbeat.working(on: IntakeItem(sha256: key.sha256, fileName: name)) {
            Result { () throws(ValidationError) in
                try PlanFile.load(data: data, path: incoming + "/" + name, owner: FileOwner(uid: snapshot.uid), parser: parser)
            }
        }
        let file: PlanFile
        switch loaded {
        case .failure(let error):
            reject(name, from: incomingFd, dirs, error)
            return nil
        case .success(let parsed):
            file = parsed
        }
        return (key, submit(file, journal == nil ? nil : key))
    }

    /// Moves a file taken in as `planId` to accepted/; on failure it stays, remembered, and the
    /// move is tried again on the next scan (with accepted/ recreated if it has gone).
    func moveAccepted(_ name: String, planId: String, key: IntakeKey, _ dirs: Directories) {
        guard let incomingFd = dirs[.incoming] else { return }
        let target = SpoolLayout.acceptedName(planId: planId, originalName: name)
        guard let acceptedFd = dirs[.accepted] else {
            logger.error(
                "cannot move \(name) to accepted/ (plan \(planId) was submitted; the file is remembered and will not be submitted again): accepted/ is unusable; retrying"
            )
            return
        }
        guard renameat(incomingFd, name, acceptedFd, target) == 0 else {
            logger.error(
                "cannot move \(name) to accepted/ (plan \(planId) was submitted; the file is remembered and will not be submitted again): \(String(cString: strerror(errno))); retrying"
            )
            return
        }
        do { try journal?.markIntakeMoved(key, at: Date()) } catch {
            logger.warning("moved \(name) to accepted/ but could not journal it: \(error)")
        }
    }

    /// Moves a file to rejected/ (renamed if the name is taken) and writes its `.error` beside it.
    func reject(_ name: String, from sourceFd: Int32, _ dirs: Directories, _ error: ValidationError) {
        guard let rejectedFd = dirs[.rejected] else {
            logger.error("cannot move \(name) to rejected/: rejected/ is unusable; retrying")
            return
        }
        var target = name
        var info = stat()
        if fstatat(rejectedFd, target, &info, AT_SYMLINK_NOFOLLOW) == 0 {
            target = JournalTime.compact(Date()) + "-" + name
        }
        guard renameat(sourceFd, name, rejectedFd, target) == 0 else {
            logger.error("cannot move \(name) to rejected/: \(String(cString: strerror(errno)))")
            return
        }
        let text =
            "rebootd rejected \(SafeText.escaped(name)) at \(JournalTime.format(Date())):\n"
            + error.problems.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        Self.writeFile(SpoolLayout.errorName(for: target), in: rejectedFd, Data(text.utf8))
        logger.warning(
            "rejected: \(error.problems.count) problem(s)", metadata: ["file": "\(name)", "first": "\(error.problems.first?.description ?? "")"])
    }

    /// Writes `data` as `name` in a directory descriptor: a fresh temp file, then a rename.
    static func writeFile(_ name: String, in dirFd: Int32, _ data: Data) {
        let temp = SpoolLayout.temporaryName(for: name)
        let fd = openat(dirFd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        close(fd)
        if !ok || renameat(dirFd, temp, dirFd, name) != 0 { unlinkat(dirFd, temp, 0) }
    }
}
