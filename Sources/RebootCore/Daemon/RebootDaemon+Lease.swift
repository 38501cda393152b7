import Dispatch
import Foundation
import Logging

/// The daemon on a shared PostgreSQL journal (SPEC §4.16): it serves its spool and `rebootctl`
/// as a standby, runs the plans only while it holds the lease, and steps down by starting
/// again as a standby. `DaemonLeadership` decides; its events and the journal's fence change
/// together under `leadershipCell`'s lock; starting and stopping the scheduler happen on `leadership`.
extension RebootDaemon {
    /// Starts a standby: the spool takes plans and controls into the shared journal; the
    /// scheduler holds every pump until this host takes the lease.
    func startStandingBy(_ shared: PostgresJournal, _ keeper: LeaseKeeper) throws(DaemonError) {
        shared.fence = .standingBy
        scheduler.holdCalls()
        metrics.setLeader(host: hostName, false)
        do { try spool.start() } catch { throw DaemonError(.failure, "cannot start: \(error)") }
        shared.whenFencedOut { [weak keeper] epoch in keeper?.fencedOut(epoch: epoch) }
        keeper.start()
        handoverListener = shared.listenForHandover { [weak keeper] in keeper?.handoverHeard() }
    }

    /// Whether a control goes to the scheduler now (else the spool journals it for the leader).
    var controlsToScheduler: Bool { leadershipCell.withLock { $0.controlsToScheduler } }

    /// Leadership of `epoch` began: journal under it, resume every unfinished plan (an old
    /// epoch's attempts without outcome are in doubt, rule 4.8, measured on the database's
    /// clock), apply the controls other hosts journaled, then call.
    func lead(epoch: Int64, reading: DatabaseClockReading) {
        // Taken here, on the keeper's queue, before any later step-down it may report: the two
        // are then seen in order (a step-down finds the scheduler starting, and stops it).
        guard let shared = sharedJournal, let keeper = leaseKeeper else { return }
        let start = leadershipCell.withLock {
            guard $0.leaseTaken(epoch: epoch) else { return false }
            shared.fence = .leading(epoch: epoch, holder: keeper.holder, margin: config.lease.margin)
            return true
        }
        guard start else { return }
        leadership.async { [self] in
            // A leader needs no news of hand-overs; the connection goes back to the pool.
            handoverListener?.cancel()
            do {
                try scheduler.start(holdingCalls: true, databaseClock: reading)
            } catch {
                logger.error("cannot resume the plans as leader (epoch \(epoch)): \(error); stepping down")
                leadershipCell.withLock {
                    shared.fence = .standingBy
                    _ = $0.leaseLost(epoch: epoch)
                }
                keeper.halt()
                return restartAsStandby(epoch: epoch)
            }
            switch leadershipCell.withLock({ $0.schedulerStarted(epoch: epoch) }) {
            case .lead:
                // No call before the controls other hosts journaled are applied (rule 4.10); a
                // failed read holds the calls until a renewal reads them.
                if scheduler.applySharedJournal(
                    pending: { try shared.pendingControls() }, settle: { shared.settleControl(id: $0, result: $1, at: $2) })
                {
                    scheduler.releaseCalls()
                }
                if leadershipCell.withLock({ $0.controlsToScheduler }) { metrics.setLeader(host: hostName, true) }
                writeMetricsNow()
            case .stopAndRestart:
                stopSchedulerThenRestart(epoch: epoch)
            case .leaveToShutdown:
                break
            }
        }
    }

    /// Each renewal: plans and controls that standbys journaled.
    func renewed() {
        guard let shared = sharedJournal, controlsToScheduler else { return }
        scheduler.sharedJournalChanged(
            pending: { try shared.pendingControls() }, settle: { shared.settleControl(id: $0, result: $1, at: $2) }, releasingCalls: true)
    }

    /// Leadership of `epoch` ended without a clean stop: at once nothing more is journaled but
    /// the outcomes of calls already sent, and the keeper stops (a new process takes the next
    /// lease). The scheduler stops (calls in flight answered within `requestTimeout`), and the
    /// process starts again as a standby.
    func stepDown(epoch: Int64) {
        let after = leadershipCell.withLock {
            sharedJournal?.fence = .standingBy
            return $0.leaseLost(epoch: epoch)
        }
        leaseKeeper?.halt()
        metrics.setLeader(host: hostName, false)
        if after == .stopAndRestart { leadership.async { self.stopSchedulerThenRestart(epoch: epoch) } }
    }

    /// On `leadership`: stops the scheduler, then starts the process again as a standby.
    func stopSchedulerThenRestart(epoch: Int64) {
        writeMetricsNow()
        scheduler.stop(grace: config.requestTimeout + 1) { [self] _ in
            leadership.async { self.restartAsStandby(epoch: epoch) }
        }
    }

    /// Starts this program again, as a standby (`ProcessRestart`); never while shutting down.
    func restartAsStandby(epoch: Int64) {
        handoverListener?.cancel()
        // Under the lock: a shutdown that begins now waits, and never sees the process replaced.
        let failure: String? = leadershipCell.withLock {
            guard $0.mayRestart else { return nil }
            logger.notice("starting again as a standby after the lease of epoch \(epoch)")
            return ProcessRestart.execSelf(marking: Self.standbyRestartMark)
        }
        guard let failure else { return }
        logger.critical("cannot start again as a standby (\(failure)); exiting")
        _exit(1)
    }

    /// Opens the shared journal. A process started again as a standby after losing the lease
    /// (`waiting`: its notifier) waits for the database, trying every 2 s and keeping systemd's
    /// watchdog fed, instead of exiting: the outage that cost it the lease may still last, and
    /// exits would soon reach the unit's start limit.
    static func openShared(
        _ location: PostgresJournalLocation, password: String?, config: RebootdConfig, logger: Logger, waiting: SystemdNotifier?
    ) throws(DaemonError) -> PostgresJournal {
        var tries = 0
        while true {
            do {
                return try PostgresJournal.open(location: location, password: password, caFile: config.caFile, settings: config.lease, logger: logger)
            } catch {
                // A refusal (the login, the database's name, TLS) needs a config change: exit and
                // say so. Only an unreachable database is waited for.
                let refused = (error as? PostgresJournal.OpenFailure)?.isRefusal ?? false
                guard let waiting, !refused else { throw DaemonError(.failure, "cannot open the journal \(location): \(error)") }
                if tries % 30 == 0 { logger.error("cannot reach the journal \(location) (\(error)); a standby waits for it, trying every 2 s") }
                tries += 1
                waiting.notify("WATCHDOG=1")
                Thread.sleep(forTimeInterval: 2)
            }
        }
    }

    /// Set in the environment of a process started again as a standby: it waits for the
    /// database instead of exiting when it cannot reach it at once.
    static let standbyRestartMark = "REBOOTD_STANDBY_RESTART"

    /// A clean stop of a daemon on a shared journal, after the scheduler's: hand the lease back
    /// (the calls in flight were answered and committed under it), so that a standby leads at
    /// once.
    func resignLease() async {
        guard let keeper = leaseKeeper else { return }
        handoverListener?.cancel()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in keeper.resign { done.resume() } }
        metrics.setLeader(host: hostName, false)
    }

    /// Writes the metrics file now, if one is configured (leadership changes show at once).
    func writeMetricsNow() {
        guard let path = config.metricsFile else { return }
        metrics.write(to: path, snapshot: scheduler.snapshot(), planCounts: terminalPlanCounts(nil))
    }
}
