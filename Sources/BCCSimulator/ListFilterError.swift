/// Why bcc-sim refuses a list call's filters (answered 400 `InvalidParameter`, as BCC does).
struct ListFilterError: Error, Sendable, Equatable {
    let message: String
}
