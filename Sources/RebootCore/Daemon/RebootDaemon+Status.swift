import BCC
import Dispatch
import Foundation
import Logging

/// Periodic work on the scheduler's own queue: `STATUS=` (when it changes, at most once a
/// second), `WATCHDOG=1` (so a stuck scheduler stops the pings) and the metrics file.
extension RebootDaemon {
    func startStatusTimer() {
        let watchdog = SystemdNotifier.watchdogInterval(environment: environment)
        let tick = min(1, watchdog ?? 1)
        let timer = DispatchSource.makeTimerSource(queue: scheduler.queue)
        let clocks = StatusClocks()
        timer.schedule(deadline: .now() + tick, repeating: tick)
        timer.setEventHandler { @Sendable [weak self] in
            guard let self else { return }
            // Intervals on the monotonic clock (SPEC §4.13).
            let now = Date(timeIntervalSinceReferenceDate: ProcessInfo.processInfo.systemUptime)
            if let watchdog, now.timeIntervalSince(clocks.lastWatchdog) >= watchdog * 0.9, self.intakeIsLive(maxStall: watchdog) {
                self.notifier.notify("WATCHDOG=1")
                clocks.lastWatchdog = now
            }
            let snapshot = self.scheduler.snapshotOnQueue()
            let status = Self.statusLine(snapshot)
            if status != self.lastStatus, now.timeIntervalSince(clocks.lastStatus) >= 1 {
                self.lastStatus = status
                clocks.lastStatus = now
                self.notifier.notify("STATUS=" + status)
            }
            if let path = self.config.metricsFile, now.timeIntervalSince(clocks.lastMetrics) >= 10 {
                clocks.lastMetrics = now
                self.metrics.write(to: path, snapshot: snapshot, planCounts: self.terminalPlanCounts(snapshot))
            }
        }
        timer.resume()
        statusTimer = timer
    }

    /// The watchdog pings only while plan intake is idle or has made progress within
    /// `WatchdogSec/2` (issue 8). Before it first withholds the pings for a file, it journals
    /// the file's content, which intake refuses after the restart systemd makes (and forgets if
    /// the file is finished after all).
    func intakeIsLive(maxStall: TimeInterval) -> Bool {
        spool.intakeHeartbeat.isLive(maxStall: maxStall) { item, seconds in
            logger.critical("plan intake has been reading \(SafeText.escaped(item.fileName)) for \(Int(seconds)) s; withholding the watchdog ping so that systemd restarts rebootd; this content will be refused after the restart")
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
            let done = p.counts[.rebooted] ?? 0, failed = p.counts[.failed] ?? 0
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
        applied.spoolDir = config.spoolDir
        applied.httpClient = config.httpClient
        applied.caFile = config.caFile
        applied.proxy = config.proxy
        do { try cloud.replace(config: applied, credentials: credentials, transport: transport) } catch {
            logger.error("reload refused, keeping the running config: \(error)")
            return
        }
        let level = Logger.Level(rawValue: fresh.logLevel) ?? .info
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
        logger.notice("configuration reloaded", metadata: ["logLevel": "\(fresh.logLevel)",
                                                           "requestsPerSecond": "\(fresh.rateLimit.requestsPerSecond)"])
    }
}

/// When the status timer last pinged the watchdog and wrote metrics (scheduler queue only).
final class StatusClocks: @unchecked Sendable {
    var lastWatchdog = Date.distantPast
    var lastMetrics = Date.distantPast
    var lastStatus = Date.distantPast
}
