/// A plan's state change, for the scheduler to journal (with an event) and log.
struct PlanTransition: Sendable, Equatable {
    let from: PlanState
    let to: PlanState
    let reason: String?
}
