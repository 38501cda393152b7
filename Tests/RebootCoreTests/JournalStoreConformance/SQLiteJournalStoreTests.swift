import Foundation
import XCTest

@testable import RebootCore

/// The store conformance suite on `SQLiteJournal` in memory (`SQLiteFileJournalStoreTests`
/// runs it on a file).
final class SQLiteJournalStoreTests: JournalStoreConformanceTests {
    override func makeStore() throws -> any JournalStore {
        // Small chunks, so that `forEachInstanceChunk` reads more than one.
        try SQLiteJournal(readChunkRows: 4)
    }

    /// Every check of the suite is a test of every store's test class in this folder (a check
    /// left out would silently not run). Read from the sources: XCTest on Linux cannot list a
    /// class's methods.
    func testEveryContractCheckIsATest() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        func matches(_ pattern: String, in file: String) throws -> Set<String> {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
            return Set(
                regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                    Range($0.range(at: 1), in: text).map { String(text[$0]) }
                })
        }
        var contract: Set<String> = []
        for file in files where file.hasPrefix("JournalStoreConformanceTests+") {
            contract.formUnion(try matches(#"^    func check(\w+)\(\) throws"#, in: file))
        }
        XCTAssertGreaterThanOrEqual(contract.count, 20, "the suite's checks were found")
        let stores = try files.filter { try !matches(#"^final class (\w+): JournalStoreConformanceTests"#, in: $0).isEmpty }
        XCTAssertGreaterThanOrEqual(stores.count, 2)
        for file in stores {
            // One line or wrapped by `swift format`, the test forwards to its check.
            let forwarded = try matches(#"^    func test(\w+)\(\) throws \{\s*try check\1\(\)\s*\}"#, in: file)
            XCTAssertEqual(forwarded, contract, "\(file) runs every contract check")
        }
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
