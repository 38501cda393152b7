import Foundation
import XCTest

@testable import RebootCore

/// `rebootctl resubmit` (SPEC §7): the instances of an ended plan that did not reboot, in their
/// original order, with the original's settings, a derived name and a ticket pointing back.
final class ResubmissionTests: XCTestCase {
    let ids = ["i-a", "i-b", "i-c", "i-d", "i-e", "i-f", "i-g"]

    func original(ticket: String? = "CHG-42") throws -> Plan {
        var plan = try PlanParser(knownGates: ["quorum"]).parse(
            """
            name: kernel-2026-11
            batchSize: [1, "50%"]
            maxFailures: 2
            pauseBetweenBatches: 90s
            window: { days: [mon, fri], start: "22:00", end: "05:00", timezone: Asia/Shanghai }
            healthGates: [quorum]
            instances: [\(ids.joined(separator: ", "))]
            """, fileName: "k.yaml", format: .yaml)
        plan.ticket = ticket
        return plan
    }

    func record(state: String = "failed", ticket: String? = "CHG-42") -> PlanRecord {
        PlanRecord(
            id: "20261128T010000Z-kernel-2026-11", name: "kernel-2026-11", sourceFile: "k.yaml", format: "yaml", sha256: "s",
            submitterUid: 0, submitterName: "root", submittedAt: "t", state: state, parameters: "", instanceCount: 7, batchCount: 3,
            currentBatch: 2, updatedAt: "t", ticket: ticket)
    }

    /// Rows out of order, as a store might give them: the original order is the index's.
    func rows() -> [PlanInstanceRecord] {
        let ends: [(String, String?)] = [
            ("rebooted", nil), ("failed", "in-doubt"), ("skipped", "Stopped"), ("rebooted", nil), ("failed", "Instance.Error"),
            ("cancelled", nil), ("skipped", "plan halted"),
        ]
        return zip(ids, ends).enumerated().reversed().map { i, pair in
            PlanInstanceRecord(
                planId: "p", idx: i, instanceId: pair.0, batch: 0, state: pair.1.0, attempts: 1, conflicts: 0, lastError: pair.1.1,
                observedNonRunning: false, updatedAt: "t")
        }
    }

    func testTheLeftoversInTheirOrderWithTheSameSettings() throws {
        let original = try original()
        let r = try Resubmission(of: record(), plan: original, instances: rows())
        XCTAssertEqual(r.plan.instances, ["i-c", "i-e", "i-f", "i-g"], "not i-b: its call in doubt may have rebooted it")
        XCTAssertEqual(r.leftovers.map(\.kind), [.skipped, .failed, .cancelled, .skipped])
        XCTAssertEqual(r.leftovers.map(\.reason), ["Stopped", "Instance.Error", "plan cancelled", "plan halted"])
        XCTAssertEqual(r.plan.name, "kernel-2026-11-retry")
        XCTAssertEqual(r.plan.ticket, "CHG-42 (resubmit of 20261128T010000Z-kernel-2026-11)")
        var same = r.plan
        same.instances = original.instances
        same.name = original.name
        same.ticket = original.ticket
        XCTAssertEqual(same, original, "every other setting is the original's")
        XCTAssertEqual(r.summary, "4 instances (1 failed, 2 skipped, 1 cancelled)")
    }

    func testOnlyChoosesKinds() throws {
        let original = try original()
        XCTAssertEqual(try Resubmission(of: record(), plan: original, instances: rows(), only: [.failed]).plan.instances, ["i-e"])
        XCTAssertEqual(try Resubmission(of: record(), plan: original, instances: rows(), only: [.inDoubt]).plan.instances, ["i-b"])
        XCTAssertEqual(
            try Resubmission(of: record(), plan: original, instances: rows(), only: [.skipped, .cancelled]).plan.instances,
            ["i-c", "i-f", "i-g"])
        let rebootedOrCancelled = rows().map {
            var row = $0
            if row.state != "rebooted" { row.state = "cancelled" }
            return row
        }
        XCTAssertThrowsError(try Resubmission(of: record(), plan: original, instances: rebootedOrCancelled, only: [.failed])) {
            XCTAssertEqual($0 as? Resubmission.Refusal, .noneOfKinds([.cancelled: 5]))
        }
    }

    func testAPlanThatHasNotEndedOrLeftNothingIsRefused() throws {
        let original = try original()
        for state in ["queued", "running", "paused", "waiting-window", "waiting-gate"] {
            XCTAssertThrowsError(try Resubmission(of: record(state: state), plan: original, instances: rows())) {
                XCTAssertEqual($0 as? Resubmission.Refusal, .notEnded(state))
            }
        }
        let allRebooted = rows().map {
            var row = $0
            row.state = "rebooted"
            return row
        }
        XCTAssertThrowsError(try Resubmission(of: record(state: "succeeded"), plan: original, instances: allRebooted)) {
            XCTAssertEqual($0 as? Resubmission.Refusal, .nothingLeft)
        }
    }

    /// The written plan is accepted by the daemon's parser and holds exactly the leftovers.
    func testTheYAMLIsAValidPlanOfExactlyTheLeftovers() throws {
        let r = try Resubmission(of: record(), plan: try original(), instances: rows(), only: Set(Resubmission.Kind.allCases))
        let parsed = try PlanParser(knownGates: ["quorum"]).parse(r.yaml, fileName: "retry.yaml", format: .yaml)
        XCTAssertEqual(parsed, r.plan)
        XCTAssertTrue(r.yaml.contains("  - i-b  # in-doubt: in-doubt\n"), r.yaml)
        XCTAssertTrue(r.yaml.hasPrefix("# rebootctl resubmit: 5 instances"), r.yaml)
    }

    /// A plan that selected its instances is resubmitted as the ids it left, without `select`
    /// and without the zones it learned (the new plan learns them again when it starts).
    func testAResolvedSelectionIsResubmittedAsItsIds() throws {
        var original = try original()
        original.select = PlanSelection(tags: ["role:web"])
        original.zones = .oneAtATime
        original.pauseBetweenZones = 600
        original.checkpoints = [1, 4]
        original.instanceZones = ["z1", "z1", "z1", "z2", "z2", "z3", "z3"]
        let r = try Resubmission(of: record(), plan: original, instances: rows())
        XCTAssertNil(r.plan.select)
        XCTAssertNil(r.plan.instanceZones)
        XCTAssertEqual(r.plan.zones, .oneAtATime)
        XCTAssertEqual(r.plan.pauseBetweenZones, 600)
        XCTAssertEqual(r.plan.checkpoints, [1, 4], "the batches are laid out when it starts: kept as they were")
        let parsed = try PlanParser(knownGates: ["quorum"]).parse(r.yaml, fileName: "retry.yaml", format: .yaml)
        XCTAssertEqual(parsed, r.plan)
        XCTAssertFalse(r.yaml.contains("select:"), r.yaml)
    }

    /// Checkpoints after batches the smaller plan no longer has (or after its last) are dropped:
    /// the daemon's parser would refuse them.
    func testCheckpointsPastTheNewBatchesAreDropped() throws {
        var original = try original()
        original.batchSize = .fixed(.count(2))
        original.checkpoints = [1, 2, 3]
        let r = try Resubmission(of: record(), plan: original, instances: rows(), only: Set(Resubmission.Kind.allCases))
        XCTAssertEqual(r.plan.layout.batches.count, 3, "5 leftovers, 2 a batch")
        XCTAssertEqual(r.plan.checkpoints, [1, 2])
        XCTAssertTrue(r.yaml.contains("checkpoints after batch 3 dropped"), r.yaml)
        XCTAssertNoThrow(try PlanParser(knownGates: ["quorum"]).parse(r.yaml, fileName: "retry.yaml", format: .yaml))
        let one = try Resubmission(of: record(), plan: original, instances: rows(), only: [.failed])
        XCTAssertNil(one.plan.checkpoints, "one batch: no checkpoint left")
        XCTAssertNoThrow(try PlanParser(knownGates: ["quorum"]).parse(one.yaml, fileName: "retry.yaml", format: .yaml))
    }

    /// A plan whose selection was never resolved (cancelled before it started, or it matched
    /// nothing) journaled no instance: nothing to resubmit, and the message says why.
    func testAPlanWithoutInstancesIsRefused() throws {
        XCTAssertThrowsError(try Resubmission(of: record(state: "cancelled"), plan: try original(), instances: [])) {
            XCTAssertEqual($0 as? Resubmission.Refusal, .noInstances)
        }
    }

    func testNamesStayValidAndCountUp() {
        XCTAssertEqual(Resubmission.name(after: "web"), "web-retry")
        XCTAssertEqual(Resubmission.name(after: "web-retry"), "web-retry2")
        XCTAssertEqual(Resubmission.name(after: "web-retry9"), "web-retry10")
        let long = String(repeating: "n", count: 64)
        XCTAssertEqual(Resubmission.name(after: long).count, 64)
        XCTAssertTrue(Resubmission.name(after: long).hasSuffix("-retry"))
        XCTAssertEqual(
            Resubmission.name(after: String(repeating: "n", count: 58) + "-retry"), String(repeating: "n", count: 57) + "-retry2",
            "64 characters at most")
    }

    func testTheTicketPointsBackWithinItsLimit() {
        let id = "20261128T010000Z-" + String(repeating: "k", count: 64) + "-2"
        XCTAssertEqual(Resubmission.ticket(after: nil, planId: "P"), "resubmit of P")
        XCTAssertEqual(Resubmission.ticket(after: "CHG-1", planId: "P"), "CHG-1 (resubmit of P)")
        XCTAssertEqual(Resubmission.ticket(after: "CHG-1 (resubmit of P)", planId: "Q"), "CHG-1 (resubmit of Q)", "one pointer, to the parent")
        let long = Resubmission.ticket(after: String(repeating: "é", count: 128), planId: id)
        XCTAssertEqual(long.unicodeScalars.count, 128)
        XCTAssertTrue(long.hasSuffix("é… (resubmit of \(id))"), long)
        XCTAssertNil(PlanParser.ticketProblem(long))
        for t in [nil, "CHG", String(repeating: "x", count: 128)] {
            XCTAssertNil(PlanParser.ticketProblem(Resubmission.ticket(after: t, planId: id)))
        }
    }
}
