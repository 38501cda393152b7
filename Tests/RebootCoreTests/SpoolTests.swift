import Foundation
import Logging
import RebootTesting
import XCTest

@testable import RebootCore

/// The spool against careless and hostile input (SPEC §3): files that are not what they seem,
/// files written in several steps, subdirectories that go away, control files that name nothing.
/// A real spool directory and a real scheduler (on a manual clock, with a fake cloud).
final class SpoolTests: XCTestCase {
    final class Rig {
        let root: String
        let harness: SchedulerHarness
        var spool: Spool!

        init(submitDelay: TimeInterval = 0) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString.prefix(8))").path
            harness = try SchedulerHarness(ids: SchedulerHarness.ids(4))
            let scheduler = harness.scheduler
            spool = Self.makeSpool(root: root, journal: harness.journal, scheduler: scheduler, submitDelay: submitDelay)
        }

        static func makeSpool(root: String, journal: SQLiteJournal, scheduler: Scheduler, submitDelay: TimeInterval) -> Spool {
            var logger = Logger(label: "spool-test")
            logger.logLevel = .critical
            return Spool(
                root: root, parser: PlanParser(knownRegions: []), logger: logger, journal: journal,
                submit: { file, intake in
                    if submitDelay > 0 { Thread.sleep(forTimeInterval: submitDelay) }
                    return scheduler.submit(file, intake: intake)
                },
                control: { try scheduler.control(planId: $0, verb: $1, requestedBy: $2, requestedAt: $3) })
        }

        func start() throws { try spool.start(rescanInterval: 0.2) }
        func path(_ sub: String) -> String { root + "/" + sub }
        func exists(_ sub: String) -> Bool {
            var info = stat()
            return lstat(path(sub), &info) == 0
        }
        func list(_ sub: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path(sub))) ?? []).sorted() }
        func plans() throws -> [PlanRecord] { try harness.journal.plans() }

        /// Polls (real time) until `done` holds or `limit` seconds pass.
        @discardableResult
        func wait(_ limit: TimeInterval, until done: () throws -> Bool) rethrows -> Bool {
            let deadline = Date() + limit
            while Date() < deadline {
                if try done() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return try done()
        }

        deinit {
            spool?.stop()
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    static let plan = "instances: [i-0001, i-0002]\nbatchSize: 1\n"

    /// Writes `text` as `name` in incoming/ the safe way: a temp name, then rename.
    func drop(_ rig: Rig, _ name: String, _ text: String) throws {
        let temp = rig.path("incoming/.\(name).tmp")
        try text.write(toFile: temp, atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(temp, rig.path("incoming/" + name)), 0)
    }

    func testFIFORenamedIntoIncomingDoesNotBlockAndIsRejected() throws {
        let rig = try Rig()
        try rig.start()
        XCTAssertEqual(mkfifo(rig.path("incoming/.f.tmp"), 0o660), 0)
        XCTAssertEqual(rename(rig.path("incoming/.f.tmp"), rig.path("incoming/f.yaml")), 0)
        try drop(rig, "good.yaml", Self.plan)
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/f.yaml.error") }, "the FIFO is rejected")
        XCTAssertTrue(try rig.wait(3) { try rig.plans().count == 1 }, "and intake goes on: the plan after it is taken in")
        let error = try String(contentsOfFile: rig.path("rejected/f.yaml.error"), encoding: .utf8)
        XCTAssertTrue(error.contains("not a regular file") || error.contains("FIFO"), error)
    }

    func testTheErrorFileNamesARejectedFileWithItsControlCharactersEscaped() throws {
        let rig = try Rig()
        try rig.start()
        let name = "bad\n\u{1B}[2J.yaml"
        try drop(rig, name, "instances: [nope]\n")
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/\(name).error") })
        let error = try String(contentsOfFile: rig.path("rejected/\(name).error"), encoding: .utf8)
        XCTAssertFalse(error.contains("\u{1B}"), "an ESC in the .error file would rewrite the terminal of whoever cats it")
        XCTAssertTrue(error.hasPrefix("rebootd rejected bad"), error)
        XCTAssertFalse(error.split(separator: "\n").first?.contains("[2J.yaml") == false, "the name stays on the first line")
    }

    func testHardLinkedFileIsRefused() throws {
        let rig = try Rig()
        try rig.start()
        let elsewhere = rig.root + "-other.yaml"
        defer { unlink(elsewhere) }
        try Self.plan.write(toFile: elsewhere, atomically: false, encoding: .utf8)
        XCTAssertEqual(link(elsewhere, rig.path("incoming/h.yaml")), 0)
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/h.yaml.error") }, "a file with two links is rejected")
        XCTAssertEqual(try rig.plans().count, 0, "and never submitted")
        let error = try String(contentsOfFile: rig.path("rejected/h.yaml.error"), encoding: .utf8)
        XCTAssertTrue(error.contains("link"), error)
    }

    func testSymlinkIsRefused() throws {
        let rig = try Rig()
        try rig.start()
        let elsewhere = rig.root + "-target.yaml"
        defer { unlink(elsewhere) }
        try Self.plan.write(toFile: elsewhere, atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink(elsewhere, rig.path("incoming/s.yaml")), 0)
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/s.yaml.error") })
        XCTAssertEqual(try rig.plans().count, 0)
    }

    /// accepted/ replaced by a symlink to a directory elsewhere: the daemon must not follow it.
    func testSubdirectoryReplacedBySymlinkIsNotFollowed() throws {
        let rig = try Rig()
        try rig.start()
        let elsewhere = rig.root + "-elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        XCTAssertEqual(rename(rig.path("accepted"), rig.path("accepted.old")), 0)
        XCTAssertEqual(symlink(elsewhere, rig.path("accepted")), 0)
        try drop(rig, "p.yaml", Self.plan + "dryRun: true\n")
        rig.wait(1.5) { false }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere), [], "nothing written through the symlink")
        XCTAssertEqual(try rig.plans().count, 1, "submitted once, remembered as not moved")
        XCTAssertTrue(rig.exists("incoming/p.yaml"), "still in incoming/")
        // The symlink removed: accepted/ is recreated and the remembered file moved, not submitted again.
        let id = try XCTUnwrap(rig.plans().first?.id)
        XCTAssertEqual(unlink(rig.path("accepted")), 0)
        XCTAssertTrue(rig.wait(3) { rig.exists("accepted/\(id).yaml") })
        XCTAssertEqual(try rig.plans().count, 1)
        XCTAssertEqual(try rig.harness.journal.pendingIntakes(), [])
    }

    /// A valid file that cannot be taken in because the journal cannot be written stays in
    /// incoming/ (it is not the file's fault) and is taken in once the journal works again.
    func testJournalFailureLeavesTheFileInIncomingAndRetries() throws {
        final class Gate: @unchecked Sendable {
            var failing = true
            var tries = 0
        }
        let gate = Gate()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = try SchedulerHarness(ids: SchedulerHarness.ids(2))
        let scheduler = harness.scheduler
        var logger = Logger(label: "spool-test")
        logger.logLevel = .critical
        let spool = Spool(
            root: root, parser: PlanParser(knownRegions: []), logger: logger, journal: harness.journal,
            submit: { file, intake in
                gate.tries += 1
                return gate.failing ? .journalUnavailable("disk full") : scheduler.submit(file, intake: intake)
            },
            control: { try scheduler.control(planId: $0, verb: $1, requestedBy: $2, requestedAt: $3) })
        try spool.start(rescanInterval: 0.2)
        defer { spool.stop() }
        try Self.plan.write(toFile: root + "/incoming/.j.tmp", atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(root + "/incoming/.j.tmp", root + "/incoming/j.yaml"), 0)
        let deadline = Date() + 3
        while gate.tries < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThanOrEqual(gate.tries, 2, "tried again")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/incoming/j.yaml"), "kept in incoming/")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/rejected"), [], "not rejected")
        gate.failing = false
        let until = Date() + 3
        while (try harness.journal.plans()).isEmpty && Date() < until { Thread.sleep(forTimeInterval: 0.05) }
        let id = try XCTUnwrap(harness.journal.plans().first?.id)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/accepted/\(id).yaml"))
    }

    func testFileOver16MiBIsRefusedWithoutReadingIt() throws {
        let rig = try Rig()
        try rig.start()
        let temp = rig.path("incoming/.big.tmp")
        let fd = open(temp, O_CREAT | O_WRONLY, 0o640)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(ftruncate(fd, off_t(4) << 30), 0, "a sparse 4 GiB file")
        close(fd)
        XCTAssertEqual(rename(temp, rig.path("incoming/big.yaml")), 0)
        let started = Date()
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/big.yaml.error") })
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "refused from fstat, not after reading 4 GiB")
        let error = try String(contentsOfFile: rig.path("rejected/big.yaml.error"), encoding: .utf8)
        XCTAssertTrue(error.contains("16 MiB"), error)
    }

    /// `cat > incoming/p.yaml`, then `echo "dryRun: true" >> incoming/p.yaml` 0.3 s later.
    func testFileWrittenInPlaceInTwoStepsIsReadWhole() throws {
        let rig = try Rig()
        try rig.start()
        let path = rig.path("incoming/p.yaml")
        try Self.plan.write(toFile: path, atomically: false, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.3)
        // As `>>` does: O_APPEND|O_CREAT (a new file if the first step was already taken away).
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(write(fd, "dryRun: true\n", 13), 13)
        close(fd)
        XCTAssertTrue(try rig.wait(4) { try rig.plans().count >= 1 && !rig.exists("incoming/p.yaml") })
        rig.wait(0.5) { false }
        let plans = try rig.plans()
        XCTAssertEqual(plans.count, 1, "one plan, taken in once")
        XCTAssertEqual(try plans.first?.decodedPlan().dryRun, true, "the whole file, with its second step")
        XCTAssertEqual(rig.list("rejected"), [], "nothing rejected")
        XCTAssertTrue(rig.harness.cloud.calls.isEmpty)
    }

    /// accepted/ renamed away (the spool root is group-writable on old installs) before a plan
    /// is submitted: the plan is submitted once, the file is moved once accepted/ is back.
    func testAcceptedRenamedAwayPlanIsSubmittedOnceAndMovedLater() throws {
        let rig = try Rig()
        try rig.start()
        XCTAssertEqual(rename(rig.path("accepted"), rig.path("accepted.gone")), 0)
        try drop(rig, "p.yaml", Self.plan + "dryRun: true\n")
        XCTAssertTrue(try rig.wait(3) { try rig.plans().count == 1 })
        let id = try XCTUnwrap(rig.plans().first?.id)
        // Several rescans, with the (dry-run) plan finished: never submitted again.
        rig.harness.run(for: 1)
        rig.wait(1.5) { false }
        XCTAssertEqual(try rig.plans().count, 1, "submitted once only")
        XCTAssertTrue(rig.wait(3) { rig.exists("accepted/\(id).yaml") }, "moved once accepted/ was recreated")
        XCTAssertFalse(rig.exists("incoming/p.yaml"))
        XCTAssertEqual(rig.list("rejected"), [])
    }

    func testControlFileWithUnknownVerbGoesToRejectedWithError() throws {
        let rig = try Rig()
        try rig.start()
        try "".write(toFile: rig.path("control/.x.tmp"), atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(rig.path("control/.x.tmp"), rig.path("control/someplan.reboot")), 0)
        try "".write(toFile: rig.path("control/.y.tmp"), atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(rig.path("control/.y.tmp"), rig.path("control/cancel")), 0)
        try "".write(toFile: rig.path("control/.z.tmp"), atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(rig.path("control/.z.tmp"), rig.path("control/nosuchplan.cancel")), 0)
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/someplan.reboot.error") })
        XCTAssertTrue(rig.exists("rejected/someplan.reboot"))
        XCTAssertFalse(rig.exists("control/someplan.reboot"))
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/cancel.error") }, "naming no plan")
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/nosuchplan.cancel.error") }, "naming a plan that does not exist")
        let error = try String(contentsOfFile: rig.path("rejected/someplan.reboot.error"), encoding: .utf8)
        XCTAssertTrue(error.contains("pause") && error.contains("cancel"), error)
    }

    /// Issue 23 #5, SPEC §4.10: controls waiting at start are applied in the order they were
    /// written (mtime, then name), and before any plan is taken in. By name, `P.pause` came
    /// before an older `P.resume`, and the resume, not the operator's last word, won.
    func testControlsWaitingAtStartAreAppliedInWriteOrderBeforeAnyPlan() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-order-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for sub in ["incoming", "control"] { try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true) }
        let written: [(String, Int)] = [("p.resume", 100), ("p.pause", 200), ("q.cancel", 200), ("a.pause", 300)]
        for (name, mtime) in written {
            let path = root + "/control/" + name
            try "".write(toFile: path, atomically: false, encoding: .utf8)
            var times = [timespec(tv_sec: 1_700_000_000 + mtime, tv_nsec: 0), timespec(tv_sec: 1_700_000_000 + mtime, tv_nsec: 0)]
            XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        }
        try Self.plan.write(toFile: root + "/incoming/plan.yaml", atomically: false, encoding: .utf8)
        final class Order: @unchecked Sendable {
            let lock = NSLock()
            var seen: [String] = []
        }
        let order = Order()
        var logger = Logger(label: "spool-test")
        logger.logLevel = .critical
        let harness = try SchedulerHarness(ids: SchedulerHarness.ids(4))
        let scheduler = harness.scheduler
        let spool = Spool(
            root: root, parser: PlanParser(knownRegions: []), logger: logger, journal: harness.journal,
            submit: { file, intake in
                order.lock.withLock { order.seen.append("plan " + file.fileName) }
                return scheduler.submit(file, intake: intake)
            },
            control: { plan, verb, _, _ in
                order.lock.withLock { order.seen.append(plan + "." + verb) }
                return "applied"
            })
        try spool.start(rescanInterval: 0.2)
        defer { spool.stop() }
        let deadline = Date() + 10
        while Date() < deadline, order.lock.withLock({ order.seen.count }) < 5 { usleep(20_000) }
        XCTAssertEqual(order.lock.withLock { order.seen }, ["p.resume", "p.pause", "q.cancel", "a.pause", "plan plan.yaml"])
    }

    /// A slow plan intake (a parse or a submission taking seconds) does not delay a cancel.
    func testControlIsNotDelayedBySlowPlanIntake() throws {
        let rig = try Rig(submitDelay: 3)
        // Not started (virtual time stands still here, so a started plan could never end).
        let later = rig.harness.clock.wallNow() + 3600
        let id = try rig.harness.submit(SchedulerHarness.plan(SchedulerHarness.ids(4)) { $0.startAfter = later })
        try rig.start()
        try drop(rig, "slow.yaml", Self.plan)
        Thread.sleep(forTimeInterval: 0.3)
        try "".write(toFile: rig.path("control/.c.tmp"), atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(rig.path("control/.c.tmp"), rig.path("control/\(id).cancel")), 0)
        XCTAssertTrue(rig.wait(1.5) { !rig.exists("control/\(id).cancel") }, "the cancel is applied within 1 s")
        XCTAssertEqual(try rig.harness.planState(id), "cancelled")
    }
}
