import Foundation
import XCTest

@testable import RebootCore

/// Plans and instances: insert, read back, heads, counts, chunks.
extension JournalStoreConformanceTests {
    func checkInsertedPlanReadsBackWithItsInstancesAndFirstEvent() throws {
        let record = try addPlan("20260101T000000Z-a")
        XCTAssertEqual(try store.plan(id: record.id), record)
        XCTAssertEqual(try store.plans(), [record])
        XCTAssertEqual(try store.instances(planId: record.id), instanceRecords(record.id))
        let events = try store.events(planId: record.id)
        XCTAssertEqual(events.map(\.kind), ["submitted"])
        XCTAssertEqual(events.first?.detail, "by test")
        XCTAssertEqual(events.first?.at, text(0))
        XCTAssertNotNil(events.first?.id, "the store gives an event its id")
        XCTAssertFalse(store.hasPendingWrites, "an insert commits at once")
    }

    func checkUnknownPlanReadsAsNothing() throws {
        try addPlan("a")
        XCTAssertNil(try store.plan(id: "nope"))
        XCTAssertNil(try store.decodedPlan(id: "nope"))
        XCTAssertEqual(try store.instances(planId: "nope"), [])
        XCTAssertEqual(try store.events(planId: "nope"), [])
        XCTAssertEqual(try store.attempts(planId: "nope"), [])
        XCTAssertNil(try store.batchDone(planId: "nope"))
    }

    func checkPlansComeInIdOrder() throws {
        for id in ["c", "a", "b"] { try addPlan(id) }
        XCTAssertEqual(try store.plans().map(\.id), ["a", "b", "c"])
    }

    func checkDecodedPlanIsThePlanItsParametersHold() throws {
        let ids = ["i-x", "i-y", "i-z", "i-w"]
        try addPlan("a", ids: ids)
        XCTAssertEqual(try store.decodedPlan(id: "a"), try parsedPlan("p-a", ids: ids))
        XCTAssertEqual(try store.plan(id: "a")?.decodedPlan(), try parsedPlan("p-a", ids: ids))
    }

    /// Active plans are those in a non-terminal state; their heads are the same records with
    /// empty parameters.
    func checkActivePlansAndHeadsLeaveOutFinishedPlans() throws {
        var expected: [PlanRecord] = []
        for (id, state) in [
            ("a", "running"), ("b", "succeeded"), ("c", "queued"), ("d", "failed"), ("e", "paused"),
            ("f", "cancelled"), ("g", "waiting-window"), ("h", "waiting-gate"),
        ] {
            let record = try addPlan(id, state: state)
            if !["succeeded", "failed", "cancelled"].contains(state) { expected.append(record) }
        }
        XCTAssertEqual(try store.activePlans(), expected)
        XCTAssertEqual(
            try store.activePlanHeads(),
            expected.map {
                var head = $0
                head.parameters = ""
                return head
            })
        XCTAssertEqual(try store.activeHashes(), ["sha-a": "a", "sha-c": "c", "sha-e": "e", "sha-g": "g", "sha-h": "h"])
    }

    /// The store does not refuse the same content active twice (the scheduler does); the hash
    /// then names the newest plan.
    func checkTheSameContentActiveTwiceIsStoredAndHashedToTheNewest() throws {
        try addPlan("20260101T000000Z-a", sha256: "same")
        try addPlan("20260101T000001Z-a", sha256: "same")
        XCTAssertEqual(try store.activePlanHeads().map(\.id), ["20260101T000000Z-a", "20260101T000001Z-a"])
        XCTAssertEqual(try store.activeHashes(), ["same": "20260101T000001Z-a"])
        store.updatePlan(id: "20260101T000001Z-a", state: "cancelled", currentBatch: -1, at: time(5), finished: true, reason: "x")
        try store.flush()
        XCTAssertEqual(try store.activeHashes(), ["same": "20260101T000000Z-a"])
    }

    func checkAPlanIdIsInsertedOnceAndAFailedInsertKeepsTheQueuedWrites() throws {
        try addPlan("a")
        store.addEvent(planId: "a", at: time(1), kind: "queued-before", detail: "d")
        XCTAssertThrowsError(try addPlan("a"), "a second plan with the same id")
        XCTAssertTrue(store.hasPendingWrites, "the queued event is kept for the next commit")
        try store.flush()
        XCTAssertEqual(try store.events(planId: "a").map(\.kind), ["submitted", "queued-before"])
        XCTAssertEqual(try store.plans().count, 1)
        XCTAssertEqual(try store.instances(planId: "a").count, 3, "the failed insert added no instances")
    }

    func checkPlanCountsByStateAndInstanceCounts() throws {
        try addPlan("a", state: "running")
        try addPlan("b", state: "succeeded", ids: ["i-a", "i-b"])
        try addPlan("c", state: "succeeded", ids: ["i-c"])
        XCTAssertEqual(try store.planCountsByState(), ["running": 1, "succeeded": 2])
        var rebooted = instanceRecords("a")[1]
        rebooted.state = "rebooted"
        store.save(instance: rebooted)
        try store.flush()
        XCTAssertEqual(try store.instanceCounts(), ["a": ["pending": 2, "rebooted": 1], "b": ["pending": 2], "c": ["pending": 1]])
        XCTAssertEqual(try store.instanceCounts(planId: "a"), ["pending": 2, "rebooted": 1], "one plan's, and only its")
        XCTAssertEqual(try store.instanceCounts(planId: "none"), [:])
        let head = try XCTUnwrap(try store.planHead(id: "a"))
        XCTAssertEqual(head.parameters, "", "a head leaves the parameters out")
        XCTAssertEqual(head.state, "running")
        XCTAssertFalse(try XCTUnwrap(try store.plan(id: "a")).parameters.isEmpty)
        XCTAssertNil(try store.planHead(id: "none"))
        XCTAssertEqual(try store.summaryReport(planId: "a")?.counts["rebooted"], 1)
        XCTAssertEqual(try store.summaryReport(planId: "a"), try store.summaryReports().first { $0.id == "a" }, "the same summary")
    }

    /// Every row of the plan, once, in index order, only that plan's; no call for a plan
    /// without rows.
    func checkInstanceChunksCoverThePlanInIndexOrder() throws {
        let ids = (0..<25).map { "i-\($0)" }
        try addPlan("a", ids: ids)
        try addPlan("b", ids: ["i-other"])
        var chunks: [[PlanInstanceRecord]] = []
        try store.forEachInstanceChunk(planId: "a") { chunks.append($0) }
        XCTAssertEqual(chunks.flatMap { $0 }, instanceRecords("a", ids: ids))
        XCTAssertFalse(chunks.contains { $0.isEmpty }, "no empty chunk")
        var calls = 0
        try store.forEachInstanceChunk(planId: "none") { _ in calls += 1 }
        XCTAssertEqual(calls, 0)
    }

    func checkUpdatePlanFinishedStampsFinishedAtAndKeepsTheReasonWhenNil() throws {
        try addPlan("a")
        store.updatePlan(id: "a", state: "running", currentBatch: 0, at: time(10), finished: false, reason: "started")
        try store.flush()
        var plan = try XCTUnwrap(try store.plan(id: "a"))
        XCTAssertEqual([plan.state, plan.updatedAt, plan.reason], ["running", text(10), "started"])
        XCTAssertEqual(plan.currentBatch, 0)
        XCTAssertNil(plan.finishedAt)
        store.updatePlan(id: "a", state: "succeeded", currentBatch: 1, at: time(20), finished: true, reason: nil)
        try store.flush()
        plan = try XCTUnwrap(try store.plan(id: "a"))
        XCTAssertEqual([plan.state, plan.updatedAt, plan.finishedAt, plan.reason], ["succeeded", text(20), text(20), "started"])
        XCTAssertEqual(plan.currentBatch, 1)
        XCTAssertEqual(try store.activePlans(), [])
        XCTAssertEqual(try store.planCountsByState(), ["succeeded": 1])
    }

    func checkSetStopIsRestoredWithItsEvent() throws {
        try addPlan("a")
        try addPlan("b")
        store.setStop(planId: "a", stop: .halt, at: time(3), detail: "failure budget exceeded")
        store.setStop(planId: "b", stop: .cancel, at: time(4), detail: "by ops")
        XCTAssertNil(try store.plan(id: "a")?.stopRequest, "queued until the flush")
        try store.flush()
        let a = try XCTUnwrap(try store.plan(id: "a"))
        let b = try XCTUnwrap(try store.plan(id: "b"))
        XCTAssertEqual([a.stopRequest, a.updatedAt, b.stopRequest, b.updatedAt], ["halt", text(3), "cancel", text(4)])
        let halted = try XCTUnwrap(try store.events(planId: "a").last)
        let cancel = try XCTUnwrap(try store.events(planId: "b").last)
        XCTAssertEqual([halted.kind, halted.detail, halted.at], ["halted", "failure budget exceeded", text(3)])
        XCTAssertEqual([cancel.kind, cancel.detail, cancel.at], ["cancel", "by ops", text(4)])
    }

    func checkCancelPendingInstancesLeavesTheOthers() throws {
        try addPlan("a", ids: ["i-a", "i-b", "i-c"])
        try addPlan("b", ids: ["i-d"])
        var failed = instanceRecords("a")[1]
        failed.state = "failed"
        store.save(instance: failed)
        store.cancelPendingInstances(planId: "a", at: time(9))
        try store.flush()
        let rows = try store.instances(planId: "a")
        XCTAssertEqual(rows.map(\.state), ["cancelled", "failed", "cancelled"])
        XCTAssertEqual(rows.map(\.updatedAt), [text(9), text(0), text(9)])
        XCTAssertEqual(try store.instances(planId: "b").map(\.state), ["pending"], "another plan's instances are untouched")
    }

    func checkBatchDoneIsNilUntilSetAndThenTheLatest() throws {
        try addPlan("a")
        XCTAssertNil(try store.batchDone(planId: "a"))
        store.setBatchDone(planId: "a", batch: 0, boot: BootStamp(nanoseconds: 7_000, bootId: "boot-1"))
        try store.flush()
        var done = try XCTUnwrap(try store.batchDone(planId: "a"))
        XCTAssertEqual(done.batch, 0)
        XCTAssertEqual(done.boot, BootStamp(nanoseconds: 7_000, bootId: "boot-1"))
        store.setBatchDone(planId: "a", batch: 1, boot: BootStamp(nanoseconds: 9_000, bootId: "boot-2"))
        try store.flush()
        done = try XCTUnwrap(try store.batchDone(planId: "a"))
        XCTAssertEqual(done.batch, 1)
        XCTAssertEqual(done.boot, BootStamp(nanoseconds: 9_000, bootId: "boot-2"))
    }
}
