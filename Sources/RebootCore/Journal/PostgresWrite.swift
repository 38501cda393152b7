import PostgresNIO

/// A write queued for the PostgreSQL journal's next commit: one statement, and the error to
/// fail the commit with when it must change a row and returns none (its SQL says `RETURNING`).
struct PostgresWrite: Sendable {
    var query: PostgresQuery
    var mustChange: PostgresJournalError?
    /// An attempt's outcome: a fact about a call already sent, committed even by a host that
    /// no longer holds the lease (SPEC §4.16); every other write of such a host is dropped.
    var isOutcome: Bool

    init(_ query: PostgresQuery, mustChange: PostgresJournalError? = nil, isOutcome: Bool = false) {
        self.query = query
        self.mustChange = mustChange
        self.isOutcome = isOutcome
    }
}
