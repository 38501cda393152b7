import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Control files (SPEC §3), served on `controlQueue`, never behind a plan: `PLAN.VERB` is
/// applied and journaled, then removed; a name that is not a control, or names no plan, goes to
/// rejected/ with its `.error`. Several are applied in the order they were written
/// (modification time, then name: SPEC §4.10), so the operator's last word wins.
extension Spool {
    func scanControl() {
        guard let dirs = openDirectories([.control, .rejected]) else { return }
        defer { dirs.close() }
        guard let controlFd = dirs[.control] else { return }
        var files: [(name: String, snapshot: FileSnapshot)] = []
        for name in Self.names(in: controlFd) {
            switch SpoolFileReader.examine(name, in: controlFd) {
            case nil: continue
            case .failure(let refusal)?:
                reject(name, from: controlFd, dirs, ValidationError(file: name, problems: [ValidationProblem(path: "", message: refusal.message)]))
            case .success(let s)?: files.append((name, s))
            }
        }
        files.sort { ($0.snapshot.mtimeNs, $0.name) < ($1.snapshot.mtimeNs, $1.name) }
        for (name, snapshot) in files {
            func refuse(_ message: String) {
                reject(name, from: controlFd, dirs, ValidationError(file: name, problems: [ValidationProblem(path: "", message: message)]))
            }
            let (planId, verb) = SpoolLayout.parseControl(name)
            guard let verb, !planId.isEmpty else {
                refuse("a control file is named PLAN.pause, PLAN.resume or PLAN.cancel (\(planId.isEmpty ? "no plan named" : "unknown verb"))")
                continue
            }
            // Applied and journaled first, removed after (SPEC §3): a crash in between applies
            // it again on the next start, which is harmless; the other order could lose a cancel.
            do {
                let result = try applyControl(planId, verb.rawValue, FileOwner(uid: snapshot.uid), snapshot.modified)
                if result == Scheduler.noSuchPlan {
                    refuse("names no plan: there is no plan \(planId) in the journal")
                } else {
                    unlinkat(controlFd, name, 0)
                }
            } catch {
                logger.error("control \(verb.rawValue) for \(planId) could not be journaled; keeping the file to apply it again: \(error)")
            }
        }
    }
}
