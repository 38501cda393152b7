import Foundation
import XCTest

@testable import RebootCore

/// The contract every `JournalStore` keeps, checked through the protocol only. A store's own
/// test class subclasses this one, overrides `makeStore()` and declares one test that calls
/// `runContract()`: every check in `contract`, each on a new store.
///
/// This base class runs nothing without a store: it declares no `test` method (SwiftPM on
/// Linux discovers only the methods a class declares, not inherited ones, and swift-corelibs
/// XCTest has no `defaultTestSuite` to empty), and should one be added, `setUpWithError` skips
/// it here. `SQLiteJournalStoreTests.testTheContractListsEveryCheck` keeps `contract` complete.
class JournalStoreConformanceTests: XCTestCase {
    /// A new, empty store. Subclasses override this.
    func makeStore() throws -> any JournalStore {
        throw XCTSkip("JournalStoreConformanceTests is abstract: a subclass provides the store")
    }

    /// Whether this is the abstract base class, which has no store to test.
    var isAbstract: Bool { type(of: self) == JournalStoreConformanceTests.self }

    /// The store under test, new for each test.
    private(set) var store: (any JournalStore)!

    override func setUpWithError() throws {
        try super.setUpWithError()
        if isAbstract { throw XCTSkip("JournalStoreConformanceTests is abstract: a subclass provides the store") }
        store = try makeStore()
    }

    override func tearDown() {
        store = nil
        super.tearDown()
    }

    /// Every check of the contract, by name.
    static let contract: [(name: String, check: @Sendable (JournalStoreConformanceTests) throws -> Void)] = [
        ("BeginAttemptsCommitsAtOnceAndReturnsIdsInOrder", { try $0.checkBeginAttemptsCommitsAtOnceAndReturnsIdsInOrder() }),
        ("BeginAttemptsCommitsTheQueuedWritesFirst", { try $0.checkBeginAttemptsCommitsTheQueuedWritesFirst() }),
        ("AFailedBeginKeepsTheQueuedWritesAndAddsNoAttempt", { try $0.checkAFailedBeginKeepsTheQueuedWritesAndAddsNoAttempt() }),
        ("FinishAttemptRecordsItsOutcome", { try $0.checkFinishAttemptRecordsItsOutcome() }),
        ("AttemptNumbersAreTheHighestPerInstance", { try $0.checkAttemptNumbersAreTheHighestPerInstance() }),
        ("OpenAndCountedAttemptsFollowFinishAndResolve", { try $0.checkOpenAndCountedAttemptsFollowFinishAndResolve() }),
        ("AttemptsOfAnInstanceSpanItsPlans", { try $0.checkAttemptsOfAnInstanceSpanItsPlans() }),
        ("InsertedPlanReadsBackWithItsInstancesAndFirstEvent", { try $0.checkInsertedPlanReadsBackWithItsInstancesAndFirstEvent() }),
        ("UnknownPlanReadsAsNothing", { try $0.checkUnknownPlanReadsAsNothing() }),
        ("PlansComeInIdOrder", { try $0.checkPlansComeInIdOrder() }),
        ("DecodedPlanIsThePlanItsParametersHold", { try $0.checkDecodedPlanIsThePlanItsParametersHold() }),
        ("ActivePlansAndHeadsLeaveOutFinishedPlans", { try $0.checkActivePlansAndHeadsLeaveOutFinishedPlans() }),
        ("TheSameContentActiveTwiceIsStoredAndHashedToTheNewest", { try $0.checkTheSameContentActiveTwiceIsStoredAndHashedToTheNewest() }),
        ("APlanIdIsInsertedOnceAndAFailedInsertKeepsTheQueuedWrites", { try $0.checkAPlanIdIsInsertedOnceAndAFailedInsertKeepsTheQueuedWrites() }),
        ("PlanCountsByStateAndInstanceCounts", { try $0.checkPlanCountsByStateAndInstanceCounts() }),
        ("InstanceChunksCoverThePlanInIndexOrder", { try $0.checkInstanceChunksCoverThePlanInIndexOrder() }),
        ("UpdatePlanFinishedStampsFinishedAtAndKeepsTheReasonWhenNil", { try $0.checkUpdatePlanFinishedStampsFinishedAtAndKeepsTheReasonWhenNil() }),
        ("SetStopIsRestoredWithItsEvent", { try $0.checkSetStopIsRestoredWithItsEvent() }),
        ("CancelPendingInstancesLeavesTheOthers", { try $0.checkCancelPendingInstancesLeavesTheOthers() }),
        ("BatchDoneIsNilUntilSetAndThenTheLatest", { try $0.checkBatchDoneIsNilUntilSetAndThenTheLatest() }),
        ("ATicketRoundTripsThroughEveryRead", { try $0.checkATicketRoundTripsThroughEveryRead() }),
        ("StatusSummaryAndDetailReadTheStore", { try $0.checkStatusSummaryAndDetailReadTheStore() }),
        ("PlanReportReadsAttemptsEventsAndControls", { try $0.checkPlanReportReadsAttemptsEventsAndControls() }),
        ("HistoryReadsAnInstancesAttemptsWithOutcomes", { try $0.checkHistoryReadsAnInstancesAttemptsWithOutcomes() }),
        ("ASavedInstanceIsVisibleAfterTheFlushOnly", { try $0.checkASavedInstanceIsVisibleAfterTheFlushOnly() }),
        ("AFailedFlushThrowsAndKeepsItsWrites", { try $0.checkAFailedFlushThrowsAndKeepsItsWrites() }),
        ("FlushWithNothingQueuedDoesNothing", { try $0.checkFlushWithNothingQueuedDoesNothing() }),
        ("EventsComeInTheOrderTheyWereAdded", { try $0.checkEventsComeInTheOrderTheyWereAdded() }),
        ("ControlsComeInOrderPerPlan", { try $0.checkControlsComeInOrderPerPlan() }),
        ("AccountPauseIsSetOnceUntilCleared", { try $0.checkAccountPauseIsSetOnceUntilCleared() }),
        ("IntakeIsInsertedWithItsPlanAndMarkedMoved", { try $0.checkIntakeIsInsertedWithItsPlanAndMarkedMoved() }),
        ("TheSameIntakeKeyTwiceFailsThePlansInsert", { try $0.checkTheSameIntakeKeyTwiceFailsThePlansInsert() }),
        ("IntakeStallsAreRecordedUpdatedAndCleared", { try $0.checkIntakeStallsAreRecordedUpdatedAndCleared() }),
        ("AResolvedPlanReplacesItsRowsAndKeepsItsZones", { try $0.checkAResolvedPlanReplacesItsRowsAndKeepsItsZones() }),
    ]

    /// Runs every check of the contract, each on a new store (`makeStore()`); a check that
    /// throws fails with its name.
    func runContract() {
        for (name, check) in Self.contract {
            do {
                store = try makeStore()
                try check(self)
            } catch {
                XCTFail("\(name): \(error)")
            }
            store = nil
        }
    }

    // MARK: Fixtures

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func time(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
    func text(_ seconds: TimeInterval) -> String { JournalTime.format(time(seconds)) }

    /// A plan of `ids`, two instances a batch, as the scheduler would build it.
    func parsedPlan(_ name: String, ids: [String]) throws -> Plan {
        let yaml = "name: \(name)\nbatchSize: 2\ninstances: [\(ids.joined(separator: ", "))]\n"
        return try PlanParser().parse(yaml, fileName: "\(name).yaml", format: .yaml)
    }

    func planRecord(_ id: String, state: String = "queued", sha256: String? = nil, ids: [String] = ["i-a", "i-b", "i-c"]) throws -> PlanRecord {
        let plan = try parsedPlan("p-\(id)", ids: ids)
        return PlanRecord(
            id: id, name: "p-\(id)", sourceFile: "\(id).yaml", format: "yaml", sha256: sha256 ?? "sha-\(id)", submitterUid: 1000,
            submitterName: "ops", submittedAt: text(0), state: state, parameters: String(decoding: try JSONEncoder().encode(plan), as: UTF8.self),
            instanceCount: ids.count, batchCount: (ids.count + 1) / 2, currentBatch: -1, updatedAt: text(0), finishedAt: nil, reason: nil)
    }

    func instanceRecords(_ planId: String, ids: [String] = ["i-a", "i-b", "i-c"], state: String = "pending") -> [PlanInstanceRecord] {
        ids.enumerated().map { i, id in
            PlanInstanceRecord(
                planId: planId, idx: i, instanceId: id, batch: i / 2, state: state, attempts: 0, conflicts: 0,
                lastError: nil, lastStatus: nil, observedNonRunning: false, startedAt: nil, finishedAt: nil, updatedAt: text(0))
        }
    }

    func submitted(_ planId: String) -> PlanEventRecord {
        PlanEventRecord(id: nil, planId: planId, at: text(0), kind: "submitted", detail: "by test")
    }

    /// Inserts plan `id` with its instances; returns the record.
    @discardableResult
    func addPlan(
        _ id: String, state: String = "queued", sha256: String? = nil, ids: [String] = ["i-a", "i-b", "i-c"],
        intake: (key: IntakeKey, fileName: String, at: Date)? = nil
    ) throws -> PlanRecord {
        let record = try planRecord(id, state: state, sha256: sha256, ids: ids)
        try store.insertPlan(record, instances: instanceRecords(id, ids: ids), event: submitted(id), intake: intake)
        return record
    }

    func attempt(_ planId: String, _ instanceId: String, number: Int, kind: String = "reboot", sentAt: TimeInterval = 1) -> AttemptRecord {
        AttemptRecord(
            id: nil, planId: planId, instanceId: instanceId, attempt: number, kind: kind, sentAt: text(sentAt), finishedAt: nil,
            httpStatus: nil, errorCode: nil, message: nil, requestId: nil, outcome: nil,
            sentBoottimeNs: 5_000_000_000 + Int64(sentAt * 1e9), bootId: "boot-1", effectDeadline: text(sentAt + 300))
    }

    func finish(_ id: Int64, _ outcome: String, at seconds: TimeInterval = 2, status: Int? = 200) {
        store.finishAttempt(
            id: id, at: time(seconds), httpStatus: status, errorCode: outcome == "accepted" ? nil : "Code-\(outcome)",
            message: "msg \(outcome)", requestId: "req-\(id)", outcome: outcome)
    }

    func control(_ planId: String, _ verb: String, at seconds: TimeInterval) -> ControlRecord {
        ControlRecord(
            id: nil, planId: planId, verb: verb, requestedByUid: 1000, requestedBy: "ops", requestedAt: text(seconds),
            appliedAt: text(seconds + 0.5), result: "\(verb)d")
    }

    func key(_ n: UInt64, sha256: String = "file-sha") -> IntakeKey {
        IntakeKey(device: 64769, inode: n, size: 120, mtimeNs: 1_700_000_000_123_456_789, sha256: sha256)
    }
}
