import BCC
import Foundation
import RebootTesting
import XCTest

@testable import RebootCore

/// Issue 10 in virtual time: the timer wakes for what is due, reboot calls go out in groups,
/// and polls wait for the plan's shortest confirmed reboot. Every rule stays exact.
final class CallEfficiencyTests: XCTestCase {
    func testPollHoldoffLearnsTheShortestConfirmedRebootWithinBounds() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var holdoff = PollHoldoff()
        holdoff.confirmed(acceptedAt: t0, pollSent: t0 + 7)
        holdoff.confirmed(acceptedAt: t0, pollSent: t0 + 5)
        XCTAssertEqual(holdoff.delay(rebootTimeout: 600), 0, "two samples are not enough")
        holdoff.confirmed(acceptedAt: t0, pollSent: t0 + 6)
        XCTAssertEqual(holdoff.delay(rebootTimeout: 600), 5, "the shortest")
        XCTAssertEqual(holdoff.delay(rebootTimeout: 8), 4, "never past half the reboot timeout")
        holdoff.confirmed(acceptedAt: t0, pollSent: t0 + 2)
        XCTAssertEqual(holdoff.delay(rebootTimeout: 600), 2, "a faster reboot lowers it at once")
        var slow = PollHoldoff()
        for _ in 0..<3 { slow.confirmed(acceptedAt: t0, pollSent: t0 + 5000) }
        XCTAssertEqual(slow.delay(rebootTimeout: 100_000), PollHoldoff.cap)
    }

    /// While an instance reboots for 100 s, the timer fires for the polls (every 10 s), not
    /// every second for a timeout check 600 s away.
    func testTimerWakesOnlyForWhatIsDue() throws {
        let h = try SchedulerHarness(
            ids: ["i-a"],
            settings: SchedulerSettings(
                requestsPerSecond: 100, burst: 10, pollInterval: 10, minRebootTime: 2, requestTimeout: 1))
        h.cloud.rebootDuration = 100
        let plan = try h.submit(SchedulerHarness.plan(["i-a"]) { $0.rebootTimeout = 600 })
        h.run(for: 1)
        XCTAssertEqual(h.cloud.rebootCalls.count, 1)
        let firedBefore = h.clock.firedCount
        let pollsBefore = h.cloud.describeCalls.count
        XCTAssertTrue(h.run(for: 120) { h.finished(plan) })
        let fires = h.clock.firedCount - firedBefore
        let polls = h.cloud.describeCalls.count - pollsBefore
        XCTAssertGreaterThanOrEqual(polls, 9, "polled every 10 s")
        XCTAssertLessThanOrEqual(fires, polls + 3, "\(fires) timer firings for \(polls) polls")
        XCTAssertEqual(try h.planState(plan), "succeeded")
    }

    /// After the first burst, reboot calls go out `rate × callGrouping` at a time (at most half
    /// the burst), and no one-second window holds more than rate + burst.
    func testRebootCallsGoOutInGroupsUnderTheLimit() throws {
        let times = try rebootCallTimes(instances: 60, burst: 20)
        XCTAssertEqual(times.count, 60)
        let sends = Set(times).count
        // Half a second of tokens at 20 rps, half the burst: groups of 10 after the burst of 20.
        XCTAssertLessThanOrEqual(sends, 1 + 40 / 10 + 1, "groups of 10 after the burst of 20, not one call per token")
        XCTAssertGreaterThanOrEqual(sends, 1 + 40 / 10, "a group is never larger than half the burst")
        var head = 0
        var most = 0
        for (i, t) in times.enumerated() {
            while times[head] <= t - 1 { head += 1 }
            most = max(most, i - head + 1)
        }
        XCTAssertLessThanOrEqual(most, 40, "rate + burst")
    }

    /// With a burst of 10, half a second of tokens (10) is more than half the burst: groups of 5.
    func testACallGroupIsAtMostHalfTheBurst() throws {
        var sizes: [Date: Int] = [:]
        for at in try rebootCallTimes(instances: 40, burst: 10) { sizes[at, default: 0] += 1 }
        XCTAssertEqual(sizes.values.reduce(0, +), 40)
        XCTAssertLessThanOrEqual(sizes.values.filter { $0 > 5 }.count, 1, "only the first burst is larger than 5")
        XCTAssertGreaterThanOrEqual(sizes.count, 1 + 30 / 5, "groups of at most 5 after the burst")
    }

    /// The times of the reboot calls of a one-batch plan of `instances` at 20 rps, run to its end.
    private func rebootCallTimes(instances: Int, burst: Int) throws -> [Date] {
        let ids = SchedulerHarness.ids(instances)
        let h = try SchedulerHarness(
            ids: ids,
            settings: SchedulerSettings(
                requestsPerSecond: 20, burst: burst, maxConcurrentRequests: 64, pollInterval: 1, minRebootTime: 2, requestTimeout: 1))
        h.cloud.rebootDuration = 1
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(instances))))
        XCTAssertTrue(h.run(for: 30) { h.finished(plan) })
        return h.cloud.rebootCalls.map(\.at)
    }

    /// Once 3 reboots are confirmed, a batch's instances are not polled before the shortest
    /// confirmed reboot has passed, and are polled together: each instance is still rebooted
    /// only by a poll sent after its answer that reads Running.
    func testLaterBatchesWaitForTheShortestRebootAndPollTogether() throws {
        let ids = SchedulerHarness.ids(12)
        let h = try SchedulerHarness(ids: ids)
        h.cloud.rebootDuration = 5
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(4))))
        XCTAssertTrue(h.run(for: 60) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let reboots = h.cloud.rebootCalls
        XCTAssertEqual(reboots.map(\.id), ids)
        let firstBatchEnd = reboots[4].at
        let lastBatch = reboots[8].at
        let polls = h.cloud.describeCalls
        let firstBatchPolls = polls.filter { $0.at < firstBatchEnd }.count
        // The polls that read the last batch's instances after its calls (the previous batch's
        // rounds read them too: the last of those is the batch's start read, SPEC §4.1).
        let lastBatchIds = Set(ids.suffix(4))
        let lastBatchPolls = polls.filter { $0.at > lastBatch && $0.ids.contains(where: lastBatchIds.contains) }
        XCTAssertGreaterThanOrEqual(firstBatchPolls, 5, "nothing learned yet: polled each second")
        XCTAssertTrue(lastBatchPolls.allSatisfy { $0.at >= lastBatch + 5 }, "none before the shortest reboot")
        XCTAssertLessThanOrEqual(lastBatchPolls.count, 2)
        XCTAssertTrue(lastBatchPolls.contains { $0.ids.count == 4 }, "the batch in one call")
        for (_, row) in try h.instances(plan) { XCTAssertEqual(row.state, "rebooted") }
    }

    /// Review finding: a round deferred by the hold-off must not defer a 409-waiting (or in-doubt)
    /// instance that appears meanwhile. It is read at the poll interval and called again as soon
    /// as it is seen Running (rule 4.4), not when the rebooting ones are worth a poll.
    func testA409DuringADeferredRoundIsReadAtThePollInterval() throws {
        let ids = SchedulerHarness.ids(8)
        let h = try SchedulerHarness(
            ids: ids,
            settings: SchedulerSettings(
                requestsPerSecond: 100, burst: 10, pollInterval: 1, minRebootTime: 2, requestTimeout: 1,
                retry: .init(maxAttempts: 6, baseDelay: 4, maxDelay: 20)))
        h.cloud.rebootDuration = 60
        let cloud = h.cloud
        let clock = h.clock
        nonisolated(unsafe) var answers = 0
        h.cloud.rebootScript = { id in
            guard id == ids[7], answers < 2 else { return nil }
            answers += 1
            // First a 500 (retried after a backoff, once the batch's round is deferred), then a 409.
            if answers == 1 { return BCCError(httpStatus: 500, code: "InternalError", message: "down") }
            cloud.statuses[id] = .starting
            cloud.runningAt[id] = clock.now() + 5
            return BCCError(httpStatus: 409, code: "Instance.RebootInstanceOperationForbidden", message: "busy")
        }
        let plan = try h.submit(SchedulerHarness.plan(ids, batch: .fixed(.count(4))) { $0.rebootTimeout = 600 })
        XCTAssertTrue(h.run(for: 400) { h.finished(plan) })
        XCTAssertEqual(try h.planState(plan), "succeeded")
        let calls = h.cloud.rebootCalls.filter { $0.id == ids[7] }.map(\.at)
        XCTAssertEqual(calls.count, 3, "a 500, a 409, then one accepted call")
        XCTAssertLessThanOrEqual(calls[2].timeIntervalSince(calls[1]), 5 + 2, "re-sent within a poll interval of becoming Running")
    }
}

/// Issue 10's memory: an instance holds call state only between its first call and its end.
final class InstanceRunMemoryTests: XCTestCase {
    func testCallStateExistsOnlyWhileCallsAreMade() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let inst = InstanceRun(index: 0, id: "i-a")
        inst.notBefore = nil
        inst.batchStarted(wall: t0)
        XCTAssertFalse(inst.holdsCallState, "a pending instance costs only its core")
        inst.sent(attemptId: 1, now: t0, effectDeadline: t0 + 16)
        inst.accepted(now: t0 + 0.1)
        XCTAssertTrue(inst.holdsCallState)
        XCTAssertEqual(inst.acceptedAt, t0 + 0.1)
        XCTAssertEqual(inst.rebootingSince, t0)
        inst.finish(.rebooted, reason: nil, wall: t0 + 5)
        XCTAssertFalse(inst.holdsCallState, "dropped at the end")
        XCTAssertEqual(inst.record(planId: "p", batch: 0, wall: t0 + 5).attempts, 1, "the record keeps what the journal needs")
    }

    #if canImport(Glibc)
        /// One object per instance of a 100,000-instance plan: it fits a 96-byte malloc chunk
        /// (it took 176 with full-width counters and optional dates, 128 with its batch, its last
        /// status as a string and a byte per flag).
        func testAnInstanceFitsA96ByteChunk() {
            let inst = InstanceRun(index: 99_999, id: "i-0123456789abcdef")
            // malloc.h is not in the Glibc module: look the function up.
            typealias UsableSize = @convention(c) (UnsafeMutableRawPointer?) -> Int
            let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_usable_size")
            let usable = unsafeBitCast(symbol, to: UsableSize.self)(Unmanaged.passUnretained(inst).toOpaque())
            XCTAssertLessThanOrEqual(usable, 88, "malloc_usable_size of an InstanceRun")
            XCTAssertEqual(inst.index, 99_999)
        }

        /// The packed flags are independent of each other.
        func testPackedFlagsAreIndependent() {
            let inst = InstanceRun(index: 0, id: "i-a")
            inst.queued = true
            XCTAssertEqual([inst.queued, inst.watched, inst.inFlight, inst.observedNonRunning], [true, false, false, false])
            inst.watched = true
            inst.queued = false
            XCTAssertEqual([inst.queued, inst.watched, inst.inFlight, inst.observedNonRunning], [false, true, false, false])
            inst.sent(attemptId: 1, now: Date(), effectDeadline: Date() + 16)
            XCTAssertEqual([inst.queued, inst.watched, inst.inFlight, inst.observedNonRunning], [false, true, true, false])
            inst.accepted(now: Date())
            inst.polled(.starting)
            XCTAssertEqual([inst.queued, inst.watched, inst.inFlight, inst.observedNonRunning], [false, true, false, true])
        }

        /// The state and the flags share a byte: every state reads back beside every flag.
        func testStateAndFlagsShareAByteWithoutTouchingEachOther() {
            for state in InstanceState.allCases {
                XCTAssertEqual(InstanceState(code: state.code), state)
                let inst = InstanceRun(index: 0, id: "i-a")
                inst.queued = true
                inst.watched = true
                inst.restore(
                    PlanInstanceRecord(
                        planId: "p", idx: 0, instanceId: "i-a", batch: 0, state: state.rawValue, attempts: 2, conflicts: 1,
                        lastError: nil, lastStatus: "Starting", observedNonRunning: true, startedAt: nil, finishedAt: nil,
                        updatedAt: ""), attemptsMade: 0, countedMade: 0)
                XCTAssertEqual(inst.state, state)
                XCTAssertEqual([inst.queued, inst.watched, inst.inFlight, inst.observedNonRunning], [true, true, false, true], "\(state)")
                inst.queued = false
                inst.watched = false
                XCTAssertEqual(inst.state, state)
                XCTAssertEqual(inst.lastStatus, "Starting")
            }
            XCTAssertEqual(Set(InstanceState.allCases.map(\.code)).count, InstanceState.allCases.count)
            XCTAssertTrue(InstanceState.allCases.allSatisfy { $0.code < 8 }, "three bits")
        }

        /// Statuses are numbered once each; nil is 0; past the table's capacity a status reads as
        /// the overflow text, and the table does not grow.
        func testStatusNamesNumberEachTextOnceAndStopGrowing() {
            let names = StatusNames()
            XCTAssertEqual(names.code(nil), 0)
            XCTAssertEqual(names.name(names.code(String(repeating: "x", count: 65))), StatusNames.overflow, "too long to keep")
            XCTAssertEqual(names.name(names.code(String(repeating: "y", count: 64))), String(repeating: "y", count: 64))
            XCTAssertNil(names.name(0))
            let running = names.code("Running")
            XCTAssertEqual(names.code("Running"), running)
            XCTAssertNotEqual(names.code("Starting"), running)
            XCTAssertEqual(names.name(running), "Running")
            for i in 0..<(StatusNames.capacity - 3) { _ = names.code("Status\(i)") }
            XCTAssertEqual(names.name(names.code("Status\(StatusNames.capacity - 4)")), "Status\(StatusNames.capacity - 4)")
            let late = names.code("OneTooMany")
            XCTAssertEqual(names.name(late), StatusNames.overflow)
            XCTAssertEqual(names.name(names.code("Running")), "Running", "early codes stay")
        }

        /// The plan knows each instance's batch: the batches are consecutive ranges of any sizes.
        func testThePlanFindsEveryInstancesBatch() throws {
            let plan = Plan(
                name: "b", instances: (0..<23).map { String(format: "i-%08d", $0) },
                batchSize: .list([.count(1), .count(3), .count(7)]))
            let run = PlanRun(
                record: PlanRecord(
                    id: "p", name: "b", sourceFile: "b.yaml", format: "yaml", sha256: "x", submitterUid: 0, submitterName: "root",
                    submittedAt: "", state: "queued", parameters: "", instanceCount: 23, batchCount: plan.layout.batches.count,
                    currentBatch: -1, updatedAt: "", finishedAt: nil, reason: nil), plan: plan)
            XCTAssertGreaterThan(run.batches.count, 3)
            for (b, range) in run.batches.enumerated() {
                for i in range {
                    XCTAssertEqual(run.batch(of: i), b, "instance \(i)")
                    XCTAssertEqual(run.record(of: run.instances[i], wall: Date()).batch, b)
                }
            }
        }

        /// The packed fields read back what was written: wall times exactly, none as nil.
        func testPackedFieldsReadBackExactly() {
            let wall = Date(timeIntervalSinceReferenceDate: 817_000_000.123456)
            let inst = InstanceRun(index: 3, id: "i-a")
            XCTAssertNil(inst.startedAt)
            XCTAssertNil(inst.finishedAt)
            inst.batchStarted(wall: wall)
            inst.sent(attemptId: 1, now: wall, effectDeadline: wall + 16)
            inst.refused409(code: "Conflict", now: wall)
            inst.finish(.failed, reason: "gone", wall: wall + 1.5)
            XCTAssertEqual(inst.startedAt, wall)
            XCTAssertEqual(inst.finishedAt, wall + 1.5)
            let record = inst.record(planId: "p", batch: 1, wall: wall)
            XCTAssertEqual([record.attempts, record.conflicts, record.idx, record.batch], [1, 1, 3, 1])
            XCTAssertEqual(record.lastError, "gone")
            XCTAssertGreaterThan(inst.epoch, 0)
        }
    #endif
}
