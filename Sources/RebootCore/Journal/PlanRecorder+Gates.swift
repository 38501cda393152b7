import Foundation
import Logging

/// Gate checks (SPEC §4.14): every check is a plan event, even one answered after the plan
/// stopped waiting.
extension PlanRecorder {
    /// One gate's answer. A gate that stays blocked is logged at warning once per wait
    /// (`repeated`: it was already), then at info.
    func gateChecked(_ run: PlanRun, gate name: String, batch: Int, _ result: GateResult, repeated: Bool) {
        var detail = "gate \(name) before batch \(batch + 1)/\(run.batches.count): \(result.word): \(result.detail)"
        if let output = result.output, !output.isEmpty { detail += "\noutput: \(SafeText.escaped(output))" }
        journal.addEvent(planId: run.id, at: wall(), kind: "gate-check", detail: detail)
        logger.log(
            level: result.passed || repeated ? .info : .warning, "gate \(result.word)",
            metadata: ["plan": "\(run.id)", "gate": "\(name)", "batch": "\(batch + 1)", "result": "\(result.detail)"])
    }

    /// Gates that did not answer within their round's deadline: blocked.
    func gatesUnanswered(_ run: PlanRun, _ names: [String], batch: Int, why: String) {
        for name in names {
            journal.addEvent(
                planId: run.id, at: wall(), kind: "gate-check", detail: "gate \(name) before batch \(batch + 1)/\(run.batches.count): blocked: \(why)"
            )
        }
    }
}
