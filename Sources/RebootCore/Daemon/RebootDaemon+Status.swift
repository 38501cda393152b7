import BCC
import Dispatch
import Foundation
import Logging

/// Periodic work on the scheduler's own queue: `STATUS=` (when it changes, at most once a
/// second, looked at only after the scheduler acted), `WATCHDOG=1` (so a stuck scheduler stops
/// the pings) and the metrics file. One one-shot timer, armed for the next duty only
/// (`StatusSchedule`); the scheduler's pumps tell it when the status may have changed.
extension RebootDaemon {
    func startStatusTimer() {
        let timer = DispatchSource.makeTimerSource(queue: scheduler.queue)
        let state = StatusTimerState(
            StatusSchedule(
                watchdog: SystemdNotifier.watchdogInterval(environment: environment), sendsStatus: notifier.isEnabled), timer: timer)
        timer.setEventHandler { @Sendable [weak self] in
            state.armedFor = nil
            self?.statusDuties(state)
        }
        scheduler.queue.sync {
            scheduler.afterPump = { [weak self] in
                state.schedule.schedulerActed()
                self?.statusDuties(state)
            }
        }
        statusTimer = timer
        statusState = state
        timer.resume()
        scheduler.queue.async { [weak self] in self?.statusDuties(state) }
    }

    /// Stops the status duties for good (shutdown): no ping, `STATUS=` or metrics write after
    /// it, from the timer or from a pump. On the scheduler queue, so a duty under way has ended
    /// before it returns (the exit's metrics write follows, alone).
    func stopStatus() {
        scheduler.queue.sync {
            statusState?.stopped = true
            scheduler.afterPump = nil
        }
        statusTimer?.cancel()
    }

    /// Does what is due, then arms the timer for the next duty (moved only earlier, or set
    /// after it fired: re-arming a dispatch timer costs a wake of its own). Scheduler queue only.
    func statusDuties(_ state: StatusTimerState) {
        guard !state.stopped else { return }
        // Intervals on the monotonic clock (SPEC §4.13).
        let now = ProcessInfo.processInfo.systemUptime
        let path = config.metricsFile
        let duties = state.schedule.due(now: now, writesMetrics: path != nil)
        if duties.ping {
            if let watchdog = state.schedule.watchdog, intakeIsLive(maxStall: watchdog) {
                notifier.notify("WATCHDOG=1")
                state.schedule.pinged(at: now)
            } else {
                state.schedule.pingWithheld(at: now)
            }
        }
        var snapshot: SchedulerSnapshot?
        if duties.status {
            let taken = scheduler.snapshotOnQueue()
            snapshot = taken
            let status = Self.statusLine(taken)
            if status != lastStatus {
                lastStatus = status
                notifier.notify("STATUS=" + status)
            }
            state.schedule.statusLookedAt(now)
        }
        if duties.metrics, let path {
            let taken = snapshot ?? scheduler.snapshotOnQueue()
            metrics.write(to: path, snapshot: taken, planCounts: terminalPlanCounts(taken))
            state.schedule.metricsWritten(at: now)
        }
        guard let next = state.schedule.next(writesMetrics: path != nil) else { return }
        if let armed = state.armedFor, armed <= next { return }
        state.armedFor = next
        state.timer.schedule(deadline: .now() + max(0, next - now), leeway: .milliseconds(50))
    }

    /// The watchdog pings only while plan intake is idle or has made progress within
    /// `WatchdogSec/2` (issue 8). Before it first withholds the pings for a file, it journals
    /// the file's content, which intake refuses after the restart systemd makes (and forgets if
    /// the file is finished after all).
    func intakeIsLive(maxStall: TimeInterval) -> Bool {
        spool.intakeHeartbeat.isLive(maxStall: maxStall) { item, seconds in
            logger.critical(
                "plan intake has been reading \(SafeText.escaped(item.fileName)) for \(Int(seconds)) s; withholding the watchdog ping so that systemd restarts rebootd; this content will be refused after the restart"
            )
            do {
                try journal.recordIntakeStall(sha256: item.sha256, fileName: item.fileName, seconds: seconds, at: Date())
            } catch {
                logger.error("cannot journal the stalled file \(SafeText.escaped(item.fileName)): \(error)")
            }
        }
    }

    /// Finished plans by state for the metrics, cached between plan endings (`FinishedPlanCounts`).
    func terminalPlanCounts(_ snapshot: SchedulerSnapshot?) -> [String: Int] {
        finishedPlanCounts.counts(journal: journal, snapshot: snapshot ?? scheduler.snapshot())
    }

    /// `2 active plans; web: batch 3/6, 61 rebooted, 1 failed; db: paused`
    public static func statusLine(_ s: SchedulerSnapshot) -> String {
        guard !s.plans.isEmpty else { return "idle: no active plans" }
        let parts = s.plans.map { p -> String in
            let done = p.counts[.rebooted] ?? 0
            let failed = p.counts[.failed] ?? 0
            let name = p.id.split(separator: "-", maxSplits: 1).last.map(String.init) ?? p.id
            return "\(name): \(p.state.rawValue), batch \(max(0, p.currentBatch + 1))/\(p.batchCount), \(done) rebooted, \(failed) failed"
        }
        return "\(s.plans.count) active plan\(s.plans.count == 1 ? "" : "s"); " + parts.joined(separator: "; ")
    }

    /// SIGHUP: re-read the config; apply what can change live, refuse the rest.
    func reload() {
        notifier.notify("RELOADING=1")
        defer { notifier.notify("READY=1") }
        let fresh: RebootdConfig
        do { fresh = try ConfigLoader.load(path: configPath) } catch {
            logger.error("reload refused, keeping the running config: \(error)")
            return
        }
        let credentials: BCECredentials
        do { credentials = try CredentialsLoader.load(config: fresh, environment: environment) } catch {
            logger.error("reload refused, keeping the running config: \(error)")
            return
        }
        var refused: [String] = []
        if fresh.endpoint != config.endpoint || fresh.regions != config.regions { refused.append("endpoint/regions") }
        if fresh.journal != config.journal { refused.append("journal") }
        if fresh.lease != config.lease { refused.append("lease") }
        if fresh.spoolDir != config.spoolDir { refused.append("spoolDir") }
        if fresh.httpClient != config.httpClient { refused.append("httpClient") }
        if fresh.caFile != config.caFile { refused.append("caFile") }
        if fresh.proxy != config.proxy { refused.append("proxy") }
        if !refused.isEmpty {
            logger.warning("reload: \(refused.joined(separator: ", ")) changed; keeping the running value until a restart")
        }
        var applied = fresh
        applied.endpoint = config.endpoint
        applied.regions = config.regions
        applied.journal = config.journal
        applied.journalLocation = config.journalLocation
        applied.lease = config.lease
        applied.spoolDir = config.spoolDir
        applied.httpClient = config.httpClient
        applied.caFile = config.caFile
        applied.proxy = config.proxy
        do { try cloud.replace(config: applied, credentials: credentials, transport: transport) } catch {
            logger.error("reload refused, keeping the running config: \(error)")
            return
        }
        let level = Logger.Level(rawValue: fresh.logLevel) ?? .info
        for warning in fresh.warnings { logger.warning("config \(configPath): \(warning)") }
        logger.logLevel = level
        // The config is read on the scheduler queue (status timer, metrics): change it there.
        scheduler.queue.sync {
            config = applied
            scheduler.setLogLevelOnQueue(level)
            scheduler.reconfigureOnQueue(applied.schedulerSettings)
        }
        metrics.prepare(gates: applied.gates.keys.sorted(), targets: applied.notify.map(\.label))
        notifications.replace(targets: applied.notify, requestTimeout: applied.requestTimeout)
        spool.updateParser(PlanParser(config: applied))
        logger.notice(
            "configuration reloaded",
            metadata: [
                "logLevel": "\(fresh.logLevel)",
                "requestsPerSecond": "\(fresh.rateLimit.requestsPerSecond)",
            ])
    }
}

/// The status timer, its schedule and the instant it is armed for (scheduler queue only).
final class StatusTimerState: @unchecked Sendable {
    var schedule: StatusSchedule
    let timer: DispatchSourceTimer
    var armedFor: TimeInterval?
    /// Set by `stopStatus()`: nothing more is done.
    var stopped = false
    init(_ schedule: StatusSchedule, timer: DispatchSourceTimer) {
        self.schedule = schedule
        self.timer = timer
    }
}
