import BCCSimulator
import Foundation
import XCTest

/// Plan intake against careless writers and a spool changed under the daemon (SPEC §3), judged
/// from what the simulator saw.
final class IntakeEndToEndTests: XCTestCase {
    /// `cat > incoming/p.yaml`, then `echo "dryRun: true" >> incoming/p.yaml` 0.3 s later: the
    /// daemon must read the file whole (a dry run), never the prefix (a real run).
    func testTwoStepInPlaceWriterIsReadWholeAsADryRun() throws {
        let h = try Harness(name: "twostep")
        try h.startSim(["--instances", "4", "--seed", "3", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let path = h.spool.appendingPathComponent("incoming/p.yaml").path
        try Harness.planYAML(ids, "batchSize: 2").write(toFile: path, atomically: false, encoding: .utf8)
        usleep(300_000)
        // As `>>` does: O_APPEND|O_CREAT (a new file if the first step was already taken away).
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(write(fd, "dryRun: true\n", 13), 13)
        close(fd)

        XCTAssertTrue(h.waitFor(10) { ((try? h.plans()) ?? []).contains { $0.state == "succeeded" } })
        sleep(2)
        let plans = try h.plans()
        XCTAssertEqual(plans.count, 1, "taken in once: \(plans)")
        XCTAssertEqual(plans.first?.name, "p")
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, 0, "a dry run: no reboot call at all")
        let rejected = try FileManager.default.contentsOfDirectory(atPath: h.spool.appendingPathComponent("rejected").path)
        XCTAssertEqual(rejected, [], "no part of it rejected")
        let id = try XCTUnwrap(plans.first?.id)
        XCTAssertTrue(try h.ctl(["status", id]).out.contains("dry run"), "journaled as a dry run")
    }

    /// accepted/ renamed away before a submission (an old install's group-writable spool root):
    /// the plan runs once and is never submitted again, and the file is moved once accepted/ is back.
    func testAcceptedRenamedAwayThePlanRunsOnceNeverAgain() throws {
        let h = try Harness(name: "acceptedgone")
        try h.startSim(["--instances", "4", "--seed", "5", "--reboot-min", "0.3", "--reboot-max", "0.5"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        XCTAssertEqual(rename(h.spool.appendingPathComponent("accepted").path, h.spool.appendingPathComponent("accepted.gone").path), 0)
        try h.drop("once.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertTrue(h.waitFor(10) { !((try? h.plans()) ?? []).isEmpty })
        let id = try XCTUnwrap(h.plans().first?.id)
        XCTAssertEqual(try h.waitPlanEnd(id, timeout: 30), "succeeded")
        // Past more than one rescan (every 5 s) with the plan finished.
        sleep(7)
        XCTAssertEqual(try h.plans().map(\.id), [id], "never submitted again")
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, ids.count, "each instance rebooted once")
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: h.spool.appendingPathComponent("accepted/\(id).yaml").path),
            "accepted/ recreated and the file moved")
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.spool.appendingPathComponent("incoming/once.yaml").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.spool.appendingPathComponent("rejected").path), [])
    }

    /// A FIFO renamed into incoming/ (as if swapped in after a check) neither blocks intake nor
    /// is taken for a plan: it is rejected, and a valid plan dropped after it runs.
    func testAFIFORenamedIntoIncomingIsRejectedAndIntakeGoesOn() throws {
        let h = try Harness(name: "fifo")
        try h.startSim(["--instances", "2", "--seed", "7", "--reboot-min", "0.2", "--reboot-max", "0.3"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let temp = h.spool.appendingPathComponent("incoming/.pipe.yaml.tmp").path
        XCTAssertEqual(mkfifo(temp, 0o640), 0)
        XCTAssertEqual(rename(temp, h.spool.appendingPathComponent("incoming/pipe.yaml").path), 0)
        try h.drop("after.yaml", Harness.planYAML(ids, "batchSize: 2"))
        XCTAssertTrue(h.waitFor(10) { FileManager.default.fileExists(atPath: h.spool.appendingPathComponent("rejected/pipe.yaml.error").path) })
        let error = try String(contentsOfFile: h.spool.appendingPathComponent("rejected/pipe.yaml.error").path, encoding: .utf8)
        XCTAssertTrue(error.contains("regular file"), error)
        XCTAssertTrue(h.waitFor(10) { ((try? h.plans()) ?? []).count == 1 })
        let id = try XCTUnwrap(h.plans().first?.id)
        XCTAssertEqual(try h.waitPlanEnd(id, timeout: 30), "succeeded")
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, ids.count)
    }

    /// A hard link in incoming/ to a file elsewhere (someone else's, or the same file submitted
    /// twice) is refused: nothing is called, the link goes to rejected/ with its reason.
    func testAHardLinkedPlanIsRefusedAndNothingIsCalled() throws {
        let h = try Harness(name: "hardlink")
        try h.startSim(["--instances", "2", "--seed", "9"])
        try h.writeConfig("pollInterval: 300ms\n")
        try h.startDaemon()
        let ids = try h.adminState().map(\.id)
        let original = h.spool.appendingPathComponent("original.yaml").path
        try Harness.planYAML(ids, "batchSize: 2").write(toFile: original, atomically: false, encoding: .utf8)
        XCTAssertEqual(link(original, h.spool.appendingPathComponent("incoming/linked.yaml").path), 0)
        XCTAssertTrue(h.waitFor(10) { FileManager.default.fileExists(atPath: h.spool.appendingPathComponent("rejected/linked.yaml.error").path) })
        let error = try String(contentsOfFile: h.spool.appendingPathComponent("rejected/linked.yaml.error").path, encoding: .utf8)
        XCTAssertTrue(error.contains("link"), error)
        sleep(1)
        XCTAssertEqual(try h.plans().count, 0)
        XCTAssertEqual(try h.requests().filter { $0.call == "reboot" }.count, 0)
    }
}
