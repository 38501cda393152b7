import ArgumentParser
import Foundation
import RebootCore

/// `rebootctl resubmit PLAN [--only KINDS] [-o FILE] [--submit]` (SPEC §7): a plan of the
/// instances of an ended plan that did not reboot, with its settings and a ticket pointing
/// back, for review; `--submit` hands it to the daemon as `rebootctl submit` does.
struct Resubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a plan of the instances that did not reboot, with the same settings, for review.",
        discussion: "The plan must have ended. Its leftovers keep their original order; the new plan has the original's settings, "
            + "a name ending in -retry, and the ticket \"ORIGINAL (resubmit of PLAN)\". Without -o or --submit the plan is printed. "
            + "Exit 65 when the plan has not ended, left nothing (of the kinds asked for), or its leftovers do not make a valid plan "
            + "(it is still written, to edit); 66 no such plan; 73 cannot write FILE; 77 not allowed to.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "A plan id, a unique prefix of one, or a plan name (its newest plan).") var plan: String
    @Option(
        help: ArgumentHelp(
            "Only instances that ended so: failed, skipped, cancelled, in-doubt, comma-separated (default: all that did not reboot but in-doubt ones, whose call may have rebooted them).",
            valueName: "kinds"),
        transform: Resubmit.parseKinds)
    var only: Set<Resubmission.Kind>?
    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("Write the plan to this file (.yaml or .yml; replaced if there) instead of printing it.", valueName: "file"))
    var output: String?
    @Flag(help: "Submit the plan once written, as `rebootctl submit` does.") var submit = false

    /// `failed,in-doubt` → the kinds; an unknown word is a usage error.
    static func parseKinds(_ text: String) throws -> Set<Resubmission.Kind> {
        var kinds: Set<Resubmission.Kind> = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let kind = Resubmission.Kind(rawValue: word) else {
                throw ValidationError(
                    "--only \(SafeText.escaped(word)) is not a kind; use \(Resubmission.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds.insert(kind)
        }
        guard !kinds.isEmpty else { throw ValidationError("--only needs at least one of failed, skipped, cancelled, in-doubt") }
        return kinds
    }

    func validate() throws {
        if let output, !["yaml", "yml"].contains((output as NSString).pathExtension.lowercased()) {
            throw ValidationError("-o \(SafeText.escaped(output)) must end in .yaml or .yml: the plan is written as YAML")
        }
    }

    func run() throws {
        let config = try options.load()
        let journal = try options.journal()
        let record = try options.plan(plan, in: journal)
        let resubmission = try Self.leftovers(of: record, in: journal, only: only)
        let text = resubmission.yaml
        let path = output ?? "\(resubmission.plan.name).yaml"
        let verdict = PlanVerdicts(options: options).check(data: Data(text.utf8), path: path)
        if let output {
            try Self.write(text, to: output)
            print("wrote \(SafeText.escaped(output)): plan \"\(resubmission.plan.name)\", \(resubmission.summary) of \(SafeText.escaped(record.id))")
        } else if !submit {
            print(text, terminator: "")
        }
        switch verdict {
        case .failure(let error):
            FileHandle.standardError.write(
                Data(("rebootctl: error: the daemon would reject this plan; edit it:\n" + error.problems.map { "  - \($0)\n" }.joined()).utf8))
            throw ExitCode(65)
        case .success(let file):
            if submit {
                try Submit.hand(file, name: (path as NSString).lastPathComponent, options: options, config: config, watch: false)
            } else if let output {
                print("review it, then: rebootctl submit \(SafeText.escaped(output))")
            }
        }
    }

    /// The resubmission of `record`, or the one-line error that says why there is none.
    static func leftovers(of record: PlanRecord, in journal: any JournalStore, only: Set<Resubmission.Kind>?) throws -> Resubmission {
        let id = SafeText.escaped(record.id)
        let original: Plan
        do {
            guard let plan = try journal.decodedPlan(id: record.id) else { throw CtlError(.noSuchPlan, "no plan \(id) in the journal") }
            original = plan
        } catch is DecodingError {
            throw CtlError(.badPlan, "the settings of plan \(id) cannot be read back from the journal; write the new plan by hand")
        }
        do {
            return try Resubmission(of: record, plan: original, instances: try journal.instances(planId: record.id), only: only)
        } catch let refusal as Resubmission.Refusal {
            switch refusal {
            case .notEnded(let state):
                throw CtlError(
                    .badPlan, "plan \(id) is \(SafeText.escaped(state)), not ended: what it leaves is not known yet (`rebootctl cancel` ends it)")
            case .noInstances:
                throw CtlError(
                    .badPlan,
                    "nothing to resubmit: plan \(id) journaled no instance (its select was never resolved); submit its file again")
            case .nothingLeft:
                throw CtlError(.badPlan, "nothing to resubmit: every instance of plan \(id) rebooted")
            case .noneOfKinds(let counts):
                let there = Resubmission.Kind.allCases.compactMap { k in counts[k].map { "\($0) \(k.rawValue)" } }.joined(separator: ", ")
                let asked = only.map { Resubmission.Kind.allCases.filter($0.contains).map(\.rawValue).joined(separator: ",") } ?? ""
                throw CtlError(
                    .badPlan, "nothing to resubmit: no \(asked) instance in plan \(id) (it left \(there.isEmpty ? "none of those kinds" : there))")
            }
        }
    }

    /// Writes `text` to `path` atomically (a temporary file renamed over it).
    static func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            let code = (error as NSError).code
            let denied = code == NSFileWriteNoPermissionError || code == Int(EACCES)
            throw CtlError(denied ? .permissionDenied : .cannotWrite, "cannot write \(SafeText.escaped(path)): \(error.localizedDescription)")
        }
    }
}
