import XCTest

@testable import RebootCore

/// The daemon's leadership transitions, alone (SPEC §4.16).
final class DaemonLeadershipTests: XCTestCase {
    func testALeaderServesControlsOnlyOnceItsSchedulerHasStarted() {
        var l = DaemonLeadership()
        XCTAssertFalse(l.controlsToScheduler)
        XCTAssertTrue(l.leaseTaken(epoch: 3))
        XCTAssertFalse(l.controlsToScheduler, "the plans are not loaded yet: controls go to the journal")
        XCTAssertEqual(l.schedulerStarted(epoch: 3), .lead)
        XCTAssertTrue(l.controlsToScheduler)
        XCTAssertFalse(l.leaseTaken(epoch: 4), "never started twice")
        XCTAssertEqual(l.leaseLost(epoch: 3), .stopAndRestart)
        XCTAssertFalse(l.controlsToScheduler)
        XCTAssertTrue(l.mayRestart)
        XCTAssertEqual(l.leaseLost(epoch: 3), .nothing, "stepping down once")
    }

    func testALeaseLostWhileTheSchedulerStartsStopsItOnceStarted() {
        var l = DaemonLeadership()
        XCTAssertTrue(l.leaseTaken(epoch: 1))
        XCTAssertEqual(l.leaseLost(epoch: 1), .waitForStart)
        XCTAssertEqual(l.schedulerStarted(epoch: 1), .stopAndRestart)
        XCTAssertFalse(l.controlsToScheduler)
    }

    func testAShutdownNeverRestartsNorStartsAScheduler() {
        var l = DaemonLeadership()
        XCTAssertTrue(l.leaseTaken(epoch: 1))
        XCTAssertEqual(l.schedulerStarted(epoch: 1), .lead)
        l.shutdown()
        XCTAssertEqual(l.leaseLost(epoch: 1), .nothing, "the shutdown stops the scheduler itself")
        XCTAssertFalse(l.mayRestart, "a process shutting down never starts itself again")
        XCTAssertFalse(l.leaseTaken(epoch: 2))

        var starting = DaemonLeadership()
        XCTAssertTrue(starting.leaseTaken(epoch: 5))
        starting.shutdown()
        XCTAssertEqual(starting.schedulerStarted(epoch: 5), .leaveToShutdown)
        XCTAssertFalse(starting.controlsToScheduler)
    }
}
