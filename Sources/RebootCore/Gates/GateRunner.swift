import Foundation
import Logging

/// Sends a plan's gate checks off the scheduler queue (SPEC §4.14): one check per gate of a
/// round, each answering exactly once through `answer`. It numbers every round, so that no
/// answer is taken for another round's (`GateWait.answer`). Used on the scheduler queue only.
struct GateRunner {
    /// Checks health gates; nil blocks every gate with that reason.
    let checker: GateChecking?
    /// Rounds started since the scheduler started.
    private(set) var rounds = 0

    init(checker: GateChecking?) { self.checker = checker }

    /// Starts a round of `names` for batch `batch` (0-based) of `run`. `answer` receives each
    /// gate's result from any thread; a gate the config does not define (a reload removed it)
    /// or a scheduler without checks answers `blocked` at once.
    mutating func startRound(
        _ run: PlanRun, _ wait: GateWait, names: [String], batch: Int, now: Date, gates: [String: HealthGate], logger: Logger,
        answer: @escaping @Sendable (_ round: Int, _ name: String, GateResult) -> Void
    ) {
        rounds += 1
        wait.startRound(
            number: rounds, names: names, now: now,
            slowestTimeout: names.compactMap { gates[$0]?.timeout }.max() ?? HealthGate.defaultTimeout)
        let round = wait.round
        var context = GateContext(planId: run.id, planName: run.plan.name, batch: batch + 1, batchCount: run.batches.count)
        context.dryRun = run.plan.dryRun
        logger.debug("checking gates", metadata: ["plan": "\(run.id)", "batch": "\(batch + 1)", "gates": "\(names.joined(separator: ","))"])
        for name in names {
            guard let gate = gates[name], let checker else {
                answer(round, name, .blocked(checker == nil ? "gate checks are not available" : "not defined in the config (a reload removed it?)"))
                continue
            }
            checker.check(gate, context: context) { answer(round, name, $0) }
        }
    }
}
