import Dispatch
import Foundation
import Logging

/// The daemon on a shared PostgreSQL journal (SPEC §4.16): it serves its spool and `rebootctl`
/// as a standby, runs the plans only while it holds the lease, and steps down by starting
/// again as a standby. Every transition happens on `leadership`, in order.
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

    /// Leadership of `epoch` began: journal under it, resume every unfinished plan (an old
    /// epoch's attempts without outcome are in doubt, rule 4.8, measured on the database's
    /// clock), apply the controls other hosts journaled, then call.
    func lead(epoch: Int64, reading: DatabaseClockReading) {
        leadership.async { [self] in
            guard let shared = sharedJournal, let keeper = leaseKeeper, !leavingLeadership else { return }
            shared.fence = .leading(epoch: epoch, holder: keeper.holder, margin: config.lease.margin)
            scheduler.databaseClock = reading
            do {
                try scheduler.start(holdingCalls: true)
            } catch {
                logger.error("cannot resume the plans as leader (epoch \(epoch)): \(error); stepping down")
                return restartAsStandby(epoch: epoch)
            }
            scheduler.applySharedJournal(pending: { try shared.pendingControls() }, settle: { shared.settleControl(id: $0, result: $1, at: $2) })
            scheduler.releaseCalls()
            leading = epoch
            metrics.setLeader(host: hostName, true)
            writeMetricsNow()
        }
    }

    /// Each renewal: plans and controls that standbys journaled.
    func renewed() {
        guard let shared = sharedJournal else { return }
        leadership.async { [self] in
            guard leading != nil else { return }
            scheduler.sharedJournalChanged(pending: { try shared.pendingControls() }, settle: { shared.settleControl(id: $0, result: $1, at: $2) })
        }
    }

    /// Leadership of `epoch` ended without a clean stop: nothing more is journaled but the
    /// outcomes of calls already sent, no call goes out, and the daemon starts again as a
    /// standby once the calls in flight are answered (within `requestTimeout`).
    func stepDown(epoch: Int64) {
        sharedJournal?.fence = .standingBy
        leadership.async { [self] in
            guard !leavingLeadership else { return }
            leavingLeadership = true
            metrics.setLeader(host: hostName, false)
            writeMetricsNow()
            guard leading != nil else { return restartAsStandby(epoch: epoch) }
            scheduler.stop(grace: config.requestTimeout + 1) { [self] _ in
                leadership.async { self.restartAsStandby(epoch: epoch) }
            }
        }
    }

    /// Starts this program again, as a standby (`ProcessRestart`).
    func restartAsStandby(epoch: Int64) {
        logger.notice("starting again as a standby after the lease of epoch \(epoch)")
        handoverListener?.cancel()
        let failure = ProcessRestart.execSelf()
        logger.critical("cannot start again as a standby (\(failure)); exiting")
        exit(1)
    }

    /// A clean stop of a daemon on a shared journal, after the scheduler's: hand the lease back
    /// (the calls in flight were answered and committed under it), so that a standby leads at
    /// once.
    func resignLease() async {
        guard let keeper = leaseKeeper else { return }
        handoverListener?.cancel()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in keeper.resign { done.resume() } }
    }

    /// Writes the metrics file now, if one is configured (leadership changes show at once).
    func writeMetricsNow() {
        guard let path = config.metricsFile else { return }
        metrics.write(to: path, snapshot: scheduler.snapshot(), planCounts: terminalPlanCounts(nil))
    }
}
