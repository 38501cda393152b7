import Foundation
import RebootCore

/// Finds the plan a PLAN argument names (SPEC §7): a plan id, a unique prefix of one, or the name
/// of the newest plan of that name.
enum PlanLookup {
    static func resolve(_ argument: String, in journal: any JournalStore) throws -> PlanRecord {
        // An empty argument (an unset shell variable) would be a prefix of every id.
        guard !argument.isEmpty else { throw CtlError(.usage, "the plan argument is empty: give a plan id, a prefix of one, or a plan name") }
        if let exact = try journal.plan(id: argument) { return exact }
        let plans = try journal.plans()
        let prefixed = plans.filter { $0.id.hasPrefix(argument) }
        if prefixed.count == 1 { return prefixed[0] }
        if prefixed.count > 1 {
            let some = prefixed.prefix(3).map { SafeText.escaped($0.id) }.joined(separator: ", ")
            throw CtlError(
                .usage,
                "\(SafeText.escaped(argument)) is the start of \(prefixed.count) plan ids (\(some)\(prefixed.count > 3 ? ", …" : "")): give more of it"
            )
        }
        if let named = plans.filter({ $0.name == argument }).max(by: { $0.submittedAt < $1.submittedAt }) { return named }
        throw CtlError(.noSuchPlan, "no plan \(SafeText.escaped(argument)) (no id, id prefix or plan name matches); `rebootctl status` lists them")
    }
}
