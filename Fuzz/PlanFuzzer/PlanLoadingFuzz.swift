import Foundation
import RebootCore

/// The libFuzzer target over plan loading (issue 8, SPEC §2): every input goes through
/// `PlanFile.load` as YAML and as JSON, exactly as the spool and `rebootctl validate` load a
/// file. A crash, a trap, an input slower than libFuzzer's `-timeout`, or a broken promise
/// below stops the run and leaves the input as `crash-…`/`timeout-…` for the regression corpus
/// (`Tests/RebootCoreTests/Fixtures/fuzz-regressions/`, replayed by `FuzzRegressionTests`).
///
enum PlanLoadingFuzz {
    static let parser = PlanParser()

    static func run(_ data: Data) {
        for name in ["fuzz.yaml", "fuzz.json"] {
            do {
                let file = try PlanFile.load(data: data, path: name, owner: FileOwner(uid: 0), parser: parser)
                // An accepted plan is a plan the scheduler can run.
                let plan = file.plan
                precondition(!plan.instances.isEmpty && plan.instances.count <= Plan.maxInstances)
                precondition(Set(plan.instances).count == plan.instances.count, "repeated instance accepted")
                precondition(plan.pauseBetweenBatches >= 0 && plan.rebootTimeout > 0)
                let sizes = plan.layout.sizes
                precondition(!sizes.isEmpty && sizes.allSatisfy { $0 >= 1 } && sizes.reduce(0, +) == plan.instances.count)
                precondition(plan.ticket.map { PlanParser.ticketProblem($0) == nil } ?? true, "a bad ticket accepted")
                // Written back (`rebootctl resubmit`), it reads as the same plan.
                precondition(
                    (try? parser.parse(PlanYAMLWriter.yaml(plan), fileName: "fuzz.yaml", format: .yaml)) == plan,
                    "a plan that does not read back as written")
            } catch {
                // A rejection names at least one problem, and its text renders.
                precondition(!error.problems.isEmpty, "a rejection without a problem")
                _ = error.description
            }
        }
    }
}
