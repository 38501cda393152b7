import Dispatch
import Foundation
import Logging

/// Performs `LeaseMachine`'s actions (SPEC §4.16): sends the lease statements on a queue of
/// their own, so that a statement that hangs never delays the timer that ends an untrusted
/// leadership, and tells its owner when leadership starts and ends. Decides nothing itself.
public final class LeaseKeeper: @unchecked Sendable {
    /// What the owner is told, on the keeper's queue.
    public struct Events: Sendable {
        /// This host now leads `epoch`; the database's clock as the grant read it.
        public var startLeading: @Sendable (Int64, DatabaseClockReading) -> Void
        /// Leadership of `epoch` ended (`reason`): stop calling at once.
        public var stopLeading: @Sendable (Int64, String) -> Void
        /// A renewal came back: the leader looks at the shared journal for what other hosts
        /// took in.
        public var renewed: @Sendable () -> Void

        public init(
            startLeading: @escaping @Sendable (Int64, DatabaseClockReading) -> Void,
            stopLeading: @escaping @Sendable (Int64, String) -> Void, renewed: @escaping @Sendable () -> Void = {}
        ) {
            self.startLeading = startLeading
            self.stopLeading = stopLeading
            self.renewed = renewed
        }
    }

    public let holder: String
    let queue = DispatchQueue(label: "rebootd.lease")
    let statementQueue = DispatchQueue(label: "rebootd.lease.statements")
    let statements: any LeaseStatements
    let clock: SchedulerClock
    let logger: Logger
    let events: Events
    var machine: LeaseMachine
    var timer: SchedulerTimer?
    var stopped = false
    /// The grant's reading, kept from the acquire's answer to `startLeading`.
    var reading: DatabaseClockReading?
    /// Whether this standby period was logged with the epoch that holds the lease.
    var standbyLogged = false

    public init(
        statements: any LeaseStatements, holder: String, lease: TimeInterval, renewEvery: TimeInterval, margin: TimeInterval,
        clock: SchedulerClock, logger: Logger, events: Events
    ) {
        self.statements = statements
        self.holder = holder
        self.clock = clock
        self.logger = logger
        self.events = events
        machine = LeaseMachine(settings: .init(lease: lease, renewEvery: renewEvery, margin: margin), now: clock.now())
    }

    /// A holder name for this process: host, pid and a random id (SPEC §4.16).
    public static func holderName(host: String = ProcessInfo.processInfo.hostName) -> String {
        "\(host)/\(getpid())/\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Starts trying to take the lease.
    public func start() {
        queue.async { [self] in
            timer = clock.makeTimer(queue: queue) { [weak self] in self?.tick() }
            tick()
        }
    }

    /// The leader handed the lease back (`NOTIFY`): try to take it now.
    public func handoverHeard() {
        queue.async { [self] in
            guard !stopped, case .standingBy = machine.state else { return }
            machine = LeaseMachine(settings: machine.settings, now: clock.now())
            tick()
        }
    }

    /// A journal commit found the lease gone: leadership of `epoch` ends now.
    public func fencedOut(epoch: Int64) {
        queue.async { [self] in perform(machine.renewalRefused(epoch: epoch, now: clock.now())) }
    }

    /// The leader's epoch, while trusted now.
    public var leadingEpoch: Int64? { queue.sync { machine.epoch(at: clock.now()) } }

    /// Stops for good without handing anything back: leadership was lost, and the process
    /// starts again (a lease an acquire in flight takes is handed back at once).
    public func halt() {
        queue.async { [self] in
            stopped = true
            timer?.cancel()
        }
    }

    /// A clean stop: hands the lease back (when leading and trusted), then calls `done`.
    public func resign(_ done: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            stopped = true
            timer?.cancel()
            let actions = machine.resign(now: clock.now())
            guard case .resign(let epoch)? = actions.last else { return done() }
            statementQueue.async { [self] in
                do { try statements.resignLease(epoch: epoch, holder: holder) } catch {
                    logger.error("could not hand the lease back (epoch \(epoch)); a standby takes it when it expires: \(error)")
                }
                logger.notice("handed the lease back (epoch \(epoch))")
                done()
            }
        }
    }

    func tick() {
        guard !stopped else { return }
        perform(machine.tick(now: clock.now()))
    }

    /// On the queue: does what the machine said.
    func perform(_ actions: [LeaseAction]) {
        for action in actions {
            switch action {
            case .tryAcquire: sendAcquire()
            case .renew(let epoch): sendRenewal(epoch)
            case .resign: break  // `resign` sends it and waits for it
            case .startLeading(let epoch):
                logger.notice("took the lease (epoch \(epoch)): leading", metadata: ["holder": "\(holder)"])
                if let reading { events.startLeading(epoch, reading) }
            case .stopLeading(let epoch, let reason):
                logger.error("lost the lease (epoch \(epoch)): standing by (\(reason))", metadata: ["holder": "\(holder)"])
                standbyLogged = true
                events.stopLeading(epoch, reason)
            case .wake(let at): timer?.schedule(at: at)
            case .tick: tick()
            }
        }
    }

    func sendAcquire() {
        let sentAt = clock.now()
        let lease = machine.settings.lease
        statementQueue.async { [self] in
            let result = Result { try statements.acquireLease(holder: holder, lease: lease) }
            let answered = clock.now()
            queue.async { [self] in
                guard !stopped else {
                    // Stopped while the statement was out: a lease it took is handed back.
                    if case .success(let grant?) = result {
                        statementQueue.async { try? self.statements.resignLease(epoch: grant.epoch, holder: self.holder) }
                    }
                    return
                }
                switch result {
                case .success(let grant?):
                    reading = DatabaseClockReading(databaseNow: grant.databaseNow, sent: sentAt, answered: answered)
                    perform(machine.acquired(epoch: grant.epoch, remaining: grant.remaining, sentAt: sentAt, now: clock.now()))
                case .success(nil):
                    perform(machine.notAcquired(now: clock.now()))
                    logStandingBy()
                case .failure(let error):
                    logger.warning("could not try the lease: \(error)")
                    perform(machine.notAcquired(now: clock.now()))
                }
            }
        }
    }

    /// Once per standby period, with the epoch and holder that lead (SPEC §4.16).
    func logStandingBy() {
        guard !standbyLogged else { return }
        standbyLogged = true
        statementQueue.async { [self] in
            let held = try? statements.lease()
            logger.notice(
                "standing by: the lease is held (epoch \(held.map { String($0.epoch) } ?? "unknown"))",
                metadata: ["holder": "\(holder)", "leader": "\(held?.holder ?? "unknown")"])
        }
    }

    func sendRenewal(_ epoch: Int64) {
        let lease = machine.settings.lease
        statementQueue.async { [self] in
            let result = Result { try statements.renewLease(epoch: epoch, holder: holder, lease: lease) }
            queue.async { [self] in
                guard !stopped else { return }
                let now = clock.now()
                switch result {
                case .success(let remaining?):
                    perform(machine.renewed(epoch: epoch, remaining: remaining, now: now))
                    if machine.epoch(at: now) == epoch { events.renewed() }
                case .success(nil):
                    perform(machine.renewalRefused(epoch: epoch, now: now))
                case .failure(let error):
                    logger.warning("the lease renewal failed (epoch \(epoch)); still leading until its trust runs out: \(error)")
                    perform(machine.renewalFailed(epoch: epoch, now: now))
                }
            }
        }
    }
}
