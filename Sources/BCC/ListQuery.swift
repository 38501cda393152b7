/// One listing `ListCollector` follows through its pages: the list call's filters (ids, or a
/// selector's query) and the page size it asks for.
struct ListQuery: Sendable {
    let filters: [(String, String)]
    let maxKeys: Int
}
