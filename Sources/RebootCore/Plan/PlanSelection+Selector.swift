import BCC

/// The list call's form of a plan's `select`.
extension PlanSelection {
    public var selector: InstanceSelector {
        InstanceSelector(
            tags: tagPairs.map { InstanceTag(key: $0.key, value: $0.value) }, zones: zones ?? [], deploySets: deploySets ?? [],
            namePrefix: namePrefix)
    }
}
