import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// The watchdog's view of plan intake (issue 8): live while idle or progressing, stalled past
/// its bound, and a stalled file refused after the restart (never a restart loop).
final class IntakeStallTests: XCTestCase {
    /// A monotonic clock the test moves by hand.
    final class VirtualTime: @unchecked Sendable {
        private let lock = NSLock()
        private var seconds: TimeInterval = 1000
        func now() -> TimeInterval { lock.withLock { seconds } }
        func advance(_ by: TimeInterval) { lock.withLock { seconds += by } }
    }

    final class Recovered: @unchecked Sendable {
        let lock = NSLock()
        var items: [String] = []
    }

    /// Writes `text` as `name` in incoming/ by rename, as rebootctl submit does.
    func drop(_ rig: SpoolTests.Rig, _ name: String, _ text: String) throws {
        let temp = rig.path("incoming/.\(name).tmp")
        try text.write(toFile: temp, atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(temp, rig.path("incoming/" + name)), 0)
    }

    func testHeartbeatIsLiveWhenIdleOrWithinTheBoundAndFlagsAStallOnce() {
        let time = VirtualTime()
        let heartbeat = WorkerHeartbeat<String>(now: { time.now() })
        var recorded: [String] = []
        let recovered = Recovered()
        heartbeat.onRecovered = { item in recovered.lock.withLock { recovered.items.append(item) } }
        XCTAssertTrue(heartbeat.isLive(maxStall: 15) { item, _ in recorded.append(item) }, "idle")
        heartbeat.working(on: "a.yaml") {
            time.advance(15)
            XCTAssertTrue(heartbeat.isLive(maxStall: 15) { item, _ in recorded.append(item) }, "at the bound")
            time.advance(0.5)
            XCTAssertFalse(heartbeat.isLive(maxStall: 15) { item, _ in recorded.append(item) })
            time.advance(10)
            XCTAssertFalse(heartbeat.isLive(maxStall: 15) { item, _ in recorded.append(item) })
            XCTAssertEqual(heartbeat.busy?.seconds, 25.5)
        }
        XCTAssertEqual(recorded, ["a.yaml"], "recorded once per stalled item")
        XCTAssertEqual(recovered.items, ["a.yaml"], "the stalled item finished after all")
        XCTAssertTrue(heartbeat.isLive(maxStall: 15) { item, _ in recorded.append(item) }, "idle again")
        // Progress: many items, each quick, never a stall however long the worker stays busy.
        for i in 0..<100 {
            heartbeat.working(on: "f\(i)") { time.advance(1) }
            XCTAssertTrue(heartbeat.isLive(maxStall: 15) { item, _ in recorded.append(item) })
        }
        XCTAssertEqual(recovered.items, ["a.yaml"])
    }

    /// A slow parse is flagged with its file's content hash in the journal; when the file is
    /// finished after all, the record is cleared (no restart follows, nothing is refused). The
    /// file is a 100,000-instance plan with an unknown key at its end: seconds of parsing in a
    /// debug build, then a rejection.
    func testSlowParseIsJournaledAsStalledAndClearedWhenItFinishes() throws {
        let rig = try SpoolTests.Rig()
        try rig.start()
        let text = "instances:\n" + (0..<100_000).map { String(format: "  - i-%08d\n", $0) }.joined() + "batchSize: 1\nbogusKey: 1\n"
        let sha = PlanFile.sha256Hex(Data(text.utf8))
        try drop(rig, "slow.yaml", text)
        var flagged: [Spool.IntakeItem] = []
        XCTAssertTrue(
            rig.wait(10) {
                !rig.spool.intakeHeartbeat.isLive(maxStall: 0.2) { item, seconds in
                    flagged.append(item)
                    try? rig.harness.journal.recordIntakeStall(sha256: item.sha256, fileName: item.fileName, seconds: seconds, at: Date())
                }
            })
        XCTAssertEqual(flagged, [Spool.IntakeItem(sha256: sha, fileName: "slow.yaml")])
        XCTAssertNotNil(try rig.harness.journal.intakeStall(sha256: sha))
        XCTAssertTrue(rig.wait(30) { rig.exists("rejected/slow.yaml.error") }, "the slow file is still read to the end")
        XCTAssertNil(try rig.harness.journal.intakeStall(sha256: sha), "finished after all: forgotten")
    }

    /// Only the parse counts: a slow submission (the scheduler or the journal busy) is not the
    /// file's fault and never gets its content refused.
    func testASlowSubmissionIsNotTakenForAStalledFile() throws {
        let rig = try SpoolTests.Rig(submitDelay: 1.0)
        try rig.start()
        try drop(rig, "ok.yaml", SpoolTests.plan)
        let deadline = Date() + 1.5
        var live = true
        while Date() < deadline && live {
            live = rig.spool.intakeHeartbeat.isLive(maxStall: 0.2) { _, _ in }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(live)
        XCTAssertTrue(rig.wait(5) { rig.list("accepted").count == 1 })
    }

    /// After a watchdog restart, the content that stalled intake is refused at once, with an
    /// error that says why; other files are taken in as usual.
    func testContentThatStalledIntakeIsRefusedAfterTheRestart() throws {
        let rig = try SpoolTests.Rig()
        let sha = PlanFile.sha256Hex(Data(SpoolTests.plan.utf8))
        try rig.harness.journal.recordIntakeStall(sha256: sha, fileName: "bomb.yaml", seconds: 16, at: Date())
        try rig.start()
        try drop(rig, "again.yaml", SpoolTests.plan)
        try drop(rig, "other.yaml", SpoolTests.plan + "dryRun: true\n")
        XCTAssertTrue(rig.wait(3) { rig.exists("rejected/again.yaml.error") })
        let error = try String(contentsOfFile: rig.path("rejected/again.yaml.error"), encoding: .utf8)
        XCTAssertTrue(error.contains("stalled plan intake for 16 s") && error.contains("watchdog"), error)
        XCTAssertTrue(rig.wait(3) { rig.list("accepted").count == 1 })
        XCTAssertEqual(try rig.plans().count, 1, "only the other file became a plan")
    }
}
