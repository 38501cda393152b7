import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Answers that arrive while the timer is due within a call group's spacing wait for that
/// pump (issue 10: a group's answers cost no wake each), and are handled before it sends.
final class AnswerHoldTests: XCTestCase {
    /// A scheduler on virtual time whose calls are answered only when the test says.
    private struct Rig {
        let clock = ManualClock()
        let journal: SQLiteJournal
        let cloud: FakeCloud
        let late: LateAnswerCloud
        let scheduler: Scheduler
        let plan: String

        init(
            instances: Int, rate: Double = 20, burst: Int, maxConcurrent: Int, callGrouping: TimeInterval = 0.5,
            rebootScript: ((String) -> BCCError?)? = nil
        ) throws {
            journal = try SQLiteJournal()
            let ids = SchedulerHarness.ids(instances)
            cloud = FakeCloud(clock: clock, ids: ids)
            cloud.rebootScript = rebootScript
            let late = LateAnswerCloud(cloud: cloud)
            self.late = late
            // A token more than the burst the tests count in reboot calls for each call of the
            // batch's status read (SPEC §4.1, 100 ids a call).
            let reads = (instances + 99) / 100
            scheduler = Scheduler(
                journal: journal,
                settings: SchedulerSettings(
                    requestsPerSecond: rate, burst: burst + reads, maxConcurrentRequests: maxConcurrent, pollInterval: 1,
                    minRebootTime: 2, requestTimeout: 1, callGrouping: callGrouping), clock: clock, random: { 0.5 }, api: { _ in late })
            try scheduler.start()
            let plan = SchedulerHarness.plan(ids, batch: .fixed(.count(instances)))
            let data = try JSONEncoder().encode(plan)
            let file = PlanFile(
                path: "/x/hold.json", fileName: "hold.json", format: .json, plan: plan,
                sha256: PlanFile.sha256Hex(data), data: data, owner: FileOwner(uid: 0, name: "root"))
            self.plan = try scheduler.submit(file).get().id
            settle()
            // The batch starts with its status read (SPEC §4.1): answered, the reboot calls go.
            if cloud.describeCalls.isEmpty {
                clock.advance(by: 0.002)  // at a high rate the submit's pump is coalesced (`pumpCoalescing`)
                settle()
            }
            precondition(
                cloud.describeCalls.count == reads && cloud.rebootCalls.isEmpty,
                "the batch read comes first: \(cloud.describeCalls.count) \(cloud.rebootCalls.count)")
            late.answerAll()
            settle()
        }

        /// Lets everything queued on the scheduler run, without releasing held answers.
        func settle() { for _ in 0..<3 { scheduler.queue.sync {} } }

        func open() throws -> Int { try journal.openAttempts(planId: plan).count }
        /// Calls whose answers the scheduler has not handled yet.
        func unhandled() -> Int { scheduler.queue.sync { scheduler.limiter.inFlight } }
        func accepted() throws -> Int { try journal.attempts(planId: plan).filter { $0.outcome == "accepted" }.count }
    }

    func testAGroupsAnswersWaitForTheTimerThatSendsTheNextGroup() throws {
        let rig = try Rig(instances: 40, burst: 20, maxConcurrent: 32)
        XCTAssertEqual(rig.cloud.rebootCalls.count, 20, "the burst")
        XCTAssertEqual(rig.late.waiting, 20)
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(try rig.open(), 20, "held: the timer fires within the group spacing")
        XCTAssertEqual(rig.unhandled(), 20)
        rig.clock.advance(by: 0.5)
        rig.settle()
        XCTAssertEqual(try rig.accepted(), 20, "the pump handled the held answers")
        XCTAssertEqual(rig.cloud.rebootCalls.count, 30, "and sent the next group")
        XCTAssertEqual(try rig.open(), 10)
    }

    /// SPEC §4 rule 3 counts from when the answer arrived: a held answer's reboot is followed
    /// from its arrival, not from the pump that handled it (the learned poll hold-off would
    /// otherwise shrink by the hold).
    func testAHeldAnswerCountsFromItsArrival() throws {
        let rig = try Rig(instances: 40, burst: 20, maxConcurrent: 32)
        let arrived = rig.clock.now()
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(try rig.open(), 20, "held")
        rig.clock.advance(by: 0.5)
        rig.settle()
        let acceptedAt = rig.scheduler.queue.sync { rig.scheduler.planById[rig.plan]?.instances.first?.acceptedAt }
        XCTAssertEqual(acceptedAt, arrived)
    }

    func testAHeldAccountErrorPausesBeforeTheNextGroupIsSent() throws {
        let rig = try Rig(instances: 40, burst: 20, maxConcurrent: 32) { id in
            id == "i-0003" ? BCCError(httpStatus: 403, code: "AccessDenied", message: "key disabled") : nil
        }
        rig.late.answerAll()
        rig.settle()
        // Whether the 2xx answers around it were held depends on when each arrived against the
        // 403's handling; the 403 itself is never held.
        XCTAssertFalse(try rig.journal.openAttempts(planId: rig.plan).map(\.instanceId).contains("i-0003"), "the 403 is journaled at once")
        rig.clock.advance(by: 0.5)
        rig.settle()
        rig.clock.advance(by: 5)
        rig.settle()
        XCTAssertEqual(rig.cloud.rebootCalls.count, 20, "nothing sent after the account error")
        XCTAssertEqual(try rig.journal.plan(id: rig.plan)?.state, "paused")
    }

    /// Issue 23 #2: a refused call's answer is journaled at once, never held. Held, a kill -9
    /// inside the hold left the attempt without an outcome, and the restart took the status that
    /// caused the 409 (Starting) for the call's effect: `rebooted`, though the API refused it.
    func testARefusedAnswerIsJournaledAtOnceWhileAcceptedOnesAreHeld() throws {
        let rig = try Rig(instances: 40, burst: 20, maxConcurrent: 32) { id in
            id == "i-0003" ? BCCError(httpStatus: 409, code: "Instance.RebootInstanceOperationForbidden", message: "not Running") : nil
        }
        rig.late.answerAll()
        rig.settle()
        let open = try rig.journal.openAttempts(planId: rig.plan).map(\.instanceId)
        XCTAssertFalse(open.contains("i-0003"), "the 409's outcome is in the journal before the timer's pump: \(open)")
        let refused = try rig.journal.attempts(planId: rig.plan).first { $0.instanceId == "i-0003" }
        XCTAssertEqual(refused?.httpStatus, 409)
    }

    /// A poll's answer is what ends a batch: it is never held (holding it slowed the instant
    /// bench by 45%, every batch waiting for the timer).
    func testAPollAnswerIsHandledAtOnceWhileRebootAnswersAreHeld() throws {
        let rig = try Rig(instances: 80, burst: 20, maxConcurrent: 32)
        var pollsInFlight = 0
        for _ in 0..<40 where pollsInFlight == 0 {
            rig.late.answerAll()
            rig.clock.advance(by: 0.5)
            rig.settle()
            pollsInFlight = rig.scheduler.queue.sync { rig.scheduler.planById[rig.plan]?.pollsInFlight ?? 0 }
        }
        XCTAssertEqual(pollsInFlight, 1, "a poll went out while reboot groups were still being sent")
        XCTAssertLessThan(rig.cloud.rebootCalls.count, 80)
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(rig.scheduler.queue.sync { rig.scheduler.planById[rig.plan]?.pollsInFlight }, 0, "handled without the timer")
    }

    func testNothingIsHeldWhileEverySlotIsTaken() throws {
        let rig = try Rig(instances: 20, burst: 20, maxConcurrent: 4)
        XCTAssertEqual(rig.cloud.rebootCalls.count, 4, "the slots")
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(try rig.accepted(), 4, "handled at once: each freed slot lets a call go")
        XCTAssertEqual(rig.cloud.rebootCalls.count, 8, "sent without waiting for the timer")
    }

    /// Where a group is capped by half the burst, the pump runs every few milliseconds and the
    /// answers already share wakes: holding them would leave the event loop idle until the
    /// timer (the instant bench, 2,000 rps, lost a third of its throughput).
    func testNothingIsHeldWhenGroupsAreCappedByTheBurst() throws {
        let rig = try Rig(instances: 200, rate: 2000, burst: 100, maxConcurrent: 200)
        rig.clock.advance(by: 0.002)  // at this rate the submit's pump is coalesced (`pumpCoalescing`)
        rig.settle()
        // The burst, and what 4 ms at 2,000 rps refilled (8 tokens), less the two reads'.
        XCTAssertGreaterThanOrEqual(rig.cloud.rebootCalls.count, 100, "the burst")
        XCTAssertLessThanOrEqual(rig.cloud.rebootCalls.count, 108, "never more than the bucket held")
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(rig.unhandled(), 0)
    }

    func testNothingIsHeldWithoutCallGroups() throws {
        let rig = try Rig(instances: 40, burst: 20, maxConcurrent: 32, callGrouping: 0)
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(rig.unhandled(), 0)
        XCTAssertEqual(try rig.open(), 0)
    }

    func testAStopHandlesTheHeldAnswersAndCommitsThem() throws {
        let rig = try Rig(instances: 40, burst: 20, maxConcurrent: 32)
        rig.late.answerAll()
        rig.settle()
        XCTAssertEqual(try rig.open(), 20)
        let stopped = expectation(description: "stopped")
        rig.scheduler.stop(grace: 5) { ok in
            XCTAssertTrue(ok)
            stopped.fulfill()
        }
        wait(for: [stopped], timeout: 10)
        XCTAssertEqual(try rig.open(), 0, "no answer lost")
        XCTAssertEqual(try rig.accepted(), 20)
        XCTAssertEqual(rig.cloud.rebootCalls.count, 20, "and nothing sent after the stop")
    }
}
