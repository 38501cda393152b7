import Foundation
import XCTest

@testable import RebootCore

/// The store conformance suite on `SQLiteJournal` opened on a file, as the daemon opens it:
/// WAL mode, a pool of connections (reads on their own connection).
final class SQLiteFileJournalStoreTests: JournalStoreConformanceTests {
    var directory: URL?

    override func makeStore() throws -> any JournalStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        directory = dir
        return try SQLiteJournal(path: dir.appendingPathComponent("journal.sqlite").path, readChunkRows: 4)
    }

    override func tearDown() {
        super.tearDown()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    // The contract, one test per check: SwiftPM's test discovery on Linux lists only the test
    // methods a class declares itself, not inherited ones (`testEveryContractCheckIsATest`
    // checks this list against the suite).
    func testBeginAttemptsCommitsAtOnceAndReturnsIdsInOrder() throws { try checkBeginAttemptsCommitsAtOnceAndReturnsIdsInOrder() }
    func testBeginAttemptsCommitsTheQueuedWritesFirst() throws { try checkBeginAttemptsCommitsTheQueuedWritesFirst() }
    func testAFailedBeginKeepsTheQueuedWritesAndAddsNoAttempt() throws { try checkAFailedBeginKeepsTheQueuedWritesAndAddsNoAttempt() }
    func testFinishAttemptRecordsItsOutcome() throws { try checkFinishAttemptRecordsItsOutcome() }
    func testAttemptNumbersAreTheHighestPerInstance() throws { try checkAttemptNumbersAreTheHighestPerInstance() }
    func testOpenAndCountedAttemptsFollowFinishAndResolve() throws { try checkOpenAndCountedAttemptsFollowFinishAndResolve() }
    func testAttemptsOfAnInstanceSpanItsPlans() throws { try checkAttemptsOfAnInstanceSpanItsPlans() }
    func testInsertedPlanReadsBackWithItsInstancesAndFirstEvent() throws { try checkInsertedPlanReadsBackWithItsInstancesAndFirstEvent() }
    func testUnknownPlanReadsAsNothing() throws { try checkUnknownPlanReadsAsNothing() }
    func testPlansComeInIdOrder() throws { try checkPlansComeInIdOrder() }
    func testDecodedPlanIsThePlanItsParametersHold() throws { try checkDecodedPlanIsThePlanItsParametersHold() }
    func testActivePlansAndHeadsLeaveOutFinishedPlans() throws { try checkActivePlansAndHeadsLeaveOutFinishedPlans() }
    func testTheSameContentActiveTwiceIsStoredAndHashedToTheNewest() throws { try checkTheSameContentActiveTwiceIsStoredAndHashedToTheNewest() }
    func testAPlanIdIsInsertedOnceAndAFailedInsertKeepsTheQueuedWrites() throws {
        try checkAPlanIdIsInsertedOnceAndAFailedInsertKeepsTheQueuedWrites()
    }
    func testPlanCountsByStateAndInstanceCounts() throws { try checkPlanCountsByStateAndInstanceCounts() }
    func testInstanceChunksCoverThePlanInIndexOrder() throws { try checkInstanceChunksCoverThePlanInIndexOrder() }
    func testUpdatePlanFinishedStampsFinishedAtAndKeepsTheReasonWhenNil() throws {
        try checkUpdatePlanFinishedStampsFinishedAtAndKeepsTheReasonWhenNil()
    }
    func testSetStopIsRestoredWithItsEvent() throws { try checkSetStopIsRestoredWithItsEvent() }
    func testCancelPendingInstancesLeavesTheOthers() throws { try checkCancelPendingInstancesLeavesTheOthers() }
    func testBatchDoneIsNilUntilSetAndThenTheLatest() throws { try checkBatchDoneIsNilUntilSetAndThenTheLatest() }
    func testStatusSummaryAndDetailReadTheStore() throws { try checkStatusSummaryAndDetailReadTheStore() }
    func testPlanReportReadsAttemptsEventsAndControls() throws { try checkPlanReportReadsAttemptsEventsAndControls() }
    func testHistoryReadsAnInstancesAttemptsWithOutcomes() throws { try checkHistoryReadsAnInstancesAttemptsWithOutcomes() }
    func testASavedInstanceIsVisibleAfterTheFlushOnly() throws { try checkASavedInstanceIsVisibleAfterTheFlushOnly() }
    func testAFailedFlushThrowsAndKeepsItsWrites() throws { try checkAFailedFlushThrowsAndKeepsItsWrites() }
    func testFlushWithNothingQueuedDoesNothing() throws { try checkFlushWithNothingQueuedDoesNothing() }
    func testEventsComeInTheOrderTheyWereAdded() throws { try checkEventsComeInTheOrderTheyWereAdded() }
    func testControlsComeInOrderPerPlan() throws { try checkControlsComeInOrderPerPlan() }
    func testAccountPauseIsSetOnceUntilCleared() throws { try checkAccountPauseIsSetOnceUntilCleared() }
    func testIntakeIsInsertedWithItsPlanAndMarkedMoved() throws { try checkIntakeIsInsertedWithItsPlanAndMarkedMoved() }
    func testTheSameIntakeKeyTwiceFailsThePlansInsert() throws { try checkTheSameIntakeKeyTwiceFailsThePlansInsert() }
    func testIntakeStallsAreRecordedUpdatedAndCleared() throws { try checkIntakeStallsAreRecordedUpdatedAndCleared() }
}
