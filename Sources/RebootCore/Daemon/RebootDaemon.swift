import BCC
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Wires config, credentials, journal, scheduler and spool into the running daemon. Its
/// lifecycle is a `ServiceGroup` of `services` (SIGTERM/SIGINT shut down gracefully, SIGHUP
/// reloads the config); it never exits the process: rebootd decides the exit code.
public final class RebootDaemon: @unchecked Sendable {
    public let configPath: String
    public internal(set) var config: RebootdConfig
    let journal: any JournalStore
    public let scheduler: Scheduler
    let spool: Spool
    let notifier: SystemdNotifier
    var logger: Logger
    var statusTimer: DispatchSourceTimer?
    /// The status duties' state (scheduler queue only); nil before `start()`.
    var statusState: StatusTimerState?
    var lastStatus = ""
    let finishedPlanCounts = FinishedPlanCounts()
    /// Set once `start()` has run (it may be called by the scheduler service and by tests).
    var started = false
    /// The scheduler's stop, once a shutdown has begun: true when it committed everything.
    var schedulerStopped: Task<Bool, Never>?
    let lifecycleLock = NSLock()
    public let metrics: RebootMetrics
    let environment: [String: String]
    let locks: [DaemonLock]
    let transport: HTTPTransport
    /// The proxy to the API, if any (logged at start).
    private(set) var proxyInUse: ProxySettings? = nil
    let cloud: CloudDirectory
    /// Health gates' HTTP (with `caFile`; never through a proxy: gates watch the local network).
    let webTransport: HTTPTransport
    /// Notify targets' HTTP (with `caFile`, through `proxy` or `https_proxy`/`no_proxy` like
    /// the API: chat services are on the internet, which a management host often reaches only
    /// through a proxy).
    let notifyTransport: HTTPTransport
    /// Plan events to the notify targets (SPEC §4.15).
    let notifications: NotificationDispatcher
    /// The shared journal (SPEC §4.16), when the config names PostgreSQL; `journal` too.
    let sharedJournal: PostgresJournal?
    /// Takes and keeps the lease on the shared journal; nil on SQLite.
    var leaseKeeper: LeaseKeeper?
    /// Leadership's transitions, in order (`RebootDaemon+Lease`).
    let leadership = DispatchQueue(label: "rebootd.leadership")
    /// Where this host stands in leadership, under its lock.
    let leadershipCell = DaemonLeadershipCell()
    /// Wakes the keeper when a leader hands the lease back.
    var handoverListener: Task<Void, Never>?
    /// The one clock of the scheduler and the lease keeper: a takeover compares the lease
    /// grant's readings with the scheduler's monotonic time, so both must share its origin.
    let clock: SchedulerClock = SystemClock()
    /// This host's name, for `rebootd_leader{host}`.
    let hostName = ProcessInfo.processInfo.hostName

    public init(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws(DaemonError) {
        self.configPath = configPath
        self.environment = environment
        self.logger = logger
        do { config = try ConfigLoader.load(path: configPath) } catch {
            throw DaemonError(.configuration, "bad configuration: \(error)")
        }
        let credentials: BCECredentials
        do { credentials = try CredentialsLoader.load(config: config, environment: environment) } catch {
            throw DaemonError(.configuration, "\(error)")
        }
        // SPEC §4.12: one daemon. Both locks are taken before the journal is opened or the
        // spool touched; a second daemon exits 1 at once, naming the holder.
        // With a shared journal the lease takes the place of the journal's lock (rule 4.12).
        let sqlitePath = config.journalLocation == nil ? config.journal : nil
        do {
            if let sqlitePath {
                try FileManager.default.createDirectory(atPath: (sqlitePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            }
            try FileManager.default.createDirectory(atPath: config.spoolDir, withIntermediateDirectories: true)
        } catch {
            throw DaemonError(.failure, "cannot create the journal or spool directory: \(error)")
        }
        do {
            var taken: [DaemonLock] = []
            if let sqlitePath { taken.append(try DaemonLock(path: DaemonLock.realPath(sqlitePath) + ".lock")) }
            taken.append(try DaemonLock(path: DaemonLock.realPath(config.spoolDir) + "/.rebootd.lock"))
            locks = taken
        } catch {
            throw DaemonError(.failure, error.description)
        }
        let transport: HTTPTransport
        do {
            (transport, proxyInUse) = try CloudTransport.make(config: config, environment: environment)
        } catch {
            throw DaemonError(.configuration, "caFile \(config.caFile ?? ""): \(error)")
        }
        self.transport = transport
        do {
            webTransport = try AsyncHTTPClientTransport(maxConnections: 4, caFile: config.caFile, proxy: nil)
            let notifyProxy = config.proxy.flatMap { ProxySettings(url: $0) } ?? ProxySettings.fromEnvironment(environment, https: true)
            notifyTransport = try AsyncHTTPClientTransport(maxConnections: 4, caFile: config.caFile, proxy: notifyProxy)
        } catch {
            throw DaemonError(.configuration, "caFile \(config.caFile ?? ""): \(error)")
        }
        do { cloud = try CloudDirectory(config: config, credentials: credentials, transport: transport) } catch {
            throw DaemonError(.configuration, "\(error)")
        }
        if let location = config.journalLocation {
            let password: String?
            do { password = try CredentialsLoader.journalPassword(config: config, environment: environment) } catch {
                throw DaemonError(.configuration, "\(error)")
            }
            let shared = try Self.openShared(
                location, password: password, config: config, logger: logger,
                waiting: environment[Self.standbyRestartMark] == "1" ? SystemdNotifier(environment: environment) : nil)
            sharedJournal = shared
            journal = shared
        } else {
            sharedJournal = nil
            do { journal = try SQLiteJournal(path: config.journal) } catch {
                throw DaemonError(.failure, "cannot open the journal \(config.journal): \(error)")
            }
        }
        let cloud = self.cloud
        var schedulerLogger = logger
        schedulerLogger.logLevel = logger.logLevel
        scheduler = Scheduler(
            journal: journal, settings: config.schedulerSettings, clock: clock, logger: schedulerLogger,
            gates: LiveGateChecker(transport: webTransport)
        ) { region in
            cloud.api(region: region)
        }
        metrics = RebootMetrics()
        metrics.prepare(gates: config.gates.keys.sorted(), targets: config.notify.map(\.label))
        scheduler.observer = metrics
        let metrics = self.metrics
        notifications = NotificationDispatcher(
            targets: config.notify, transport: notifyTransport, requestTimeout: config.requestTimeout, logger: logger,
            count: { label, outcome in metrics.notification(target: label, outcome: outcome.rawValue) })
        let notifications = self.notifications
        scheduler.notify = { notifications.post($0) }
        let scheduler = self.scheduler
        spool = Spool(
            root: config.spoolDir, parser: PlanParser(config: config), logger: logger,
            journal: journal,
            submit: { scheduler.submit($0, intake: $1) },
            control: { [sharedJournal, leadershipCell] planId, verb, owner, requestedAt in
                guard let shared = sharedJournal else {
                    return try scheduler.control(planId: planId, verb: verb, requestedBy: owner, requestedAt: requestedAt)
                }
                // A shared journal (SPEC §4.16): every host journals its controls, in the order
                // its spool took them, and the leader applies them all in the journal's order
                // (rule 4.10: the last word wins across hosts too), this host's at once when it
                // leads. Never lost: the row is committed before the file is removed.
                if planId != "all", try shared.plan(id: planId) == nil { return Scheduler.noSuchPlan }
                let at = JournalTime.format(requestedAt)
                try shared.addPendingControl(
                    ControlRecord(
                        id: nil, planId: planId, verb: verb, requestedByUid: Int(owner.uid), requestedBy: owner.name, requestedAt: at,
                        appliedAt: at, result: PostgresJournal.pendingControl))
                if leadershipCell.withLock({ $0.controlsToScheduler }) {
                    scheduler.sharedJournalChanged(
                        pending: { try shared.pendingControls() }, settle: { shared.settleControl(id: $0, result: $1, at: $2) })
                }
                return PostgresJournal.pendingControl
            })
        notifier = SystemdNotifier(environment: environment)
        if let shared = sharedJournal {
            let lease = config.lease
            leaseKeeper = LeaseKeeper(
                statements: shared, holder: LeaseKeeper.holderName(host: hostName), lease: lease.duration, renewEvery: lease.renewEvery,
                margin: lease.margin, clock: clock, logger: logger,
                events: .init(
                    startLeading: { [weak self] epoch, reading in self?.lead(epoch: epoch, reading: reading) },
                    stopLeading: { [weak self] epoch, _ in self?.stepDown(epoch: epoch) },
                    renewed: { [weak self] in self?.renewed() }))
        }
    }

    /// Starts everything; returns once the daemon is serving (READY=1 sent).
    public func start() throws(DaemonError) {
        guard !started else { return }
        started = true
        if let shared = sharedJournal, let keeper = leaseKeeper {
            try startStandingBy(shared, keeper)
        } else {
            do {
                // Plans load first, but no call goes out until the spool's first scan has applied
                // the control files that waited while the daemon was down (SPEC §4.10).
                try scheduler.start(holdingCalls: true)
                try spool.start()
                scheduler.releaseCalls()
            } catch {
                throw DaemonError(.failure, "cannot start: \(error)")
            }
        }
        // READY=1 first: the status duties' first run (a ping, a STATUS= line) follows it.
        notifier.notify("READY=1")
        startStatusTimer()
        for warning in config.warnings { logger.warning("config \(configPath): \(warning)") }
        logger.notice(
            "rebootd ready",
            metadata: [
                "spool": "\(config.spoolDir)", "journal": "\(config.journal)",
                "endpoint": "\(config.endpoint)", "httpClient": "\(config.httpClient.rawValue)", "proxy": "\(proxyInUse?.description ?? "none")",
            ])
    }

    /// The first half of a graceful shutdown: `STOPPING=1`; the scheduler starts no new call
    /// (calls in flight go on, within `shutdownGrace`); then the spool stops taking files. The
    /// scheduler is stopped first so that no reboot starts even if the spool is slow to stop.
    func beginShutdown() {
        lifecycleLock.lock()
        defer { lifecycleLock.unlock() }
        guard schedulerStopped == nil else { return }
        // Nothing starts from now on, and the process never starts itself again.
        leadershipCell.withLock { $0.shutdown() }
        logger.notice("shutting down", metadata: ["grace": "\(config.shutdownGrace)s"])
        notifier.notify("STOPPING=1")
        let scheduler = self.scheduler
        let grace = config.shutdownGrace
        schedulerStopped = Task {
            await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
                scheduler.stop(grace: grace) { committed in done.resume(returning: committed) }
            }
        }
        spool.stop()
    }

    /// The second half: waits for calls in flight (within `shutdownGrace`) and the journal's
    /// commit, and writes the metrics file a last time. True when everything was committed;
    /// the caller (rebootd) decides the exit code.
    public func finishShutdown() async -> Bool {
        beginShutdown()
        stopStatus()
        let committed = await lifecycleLock.withLock { schedulerStopped }?.value ?? false
        if committed { await resignLease() }
        notifications.abandon()
        if let path = config.metricsFile {
            metrics.write(to: path, snapshot: scheduler.snapshot(), planCounts: terminalPlanCounts(nil))
        }
        return committed
    }

    /// The daemon's parts as services of one `ServiceGroup`, in start order; the group shuts
    /// them down in reverse: the spool first (no new plan), then SIGHUP handling, then the
    /// status loop, and last the scheduler, which lets calls in flight finish and commits. The
    /// scheduler service starts the daemon, so SIGTERM/SIGINT are already trapped by the group
    /// when READY=1 goes out; pass `hangups` made before the group runs, so SIGHUP is too.
    public func services(hangups: UnixSignalsSequence? = nil) -> [any Service] {
        [SchedulerService(daemon: self), StatusService(daemon: self), ReloadService(daemon: self, hangups: hangups), SpoolService(daemon: self)]
    }
}
