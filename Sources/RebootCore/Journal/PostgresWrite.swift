import PostgresNIO

/// A write queued for the PostgreSQL journal's next commit: one statement, and the error to
/// fail the commit with when it must change a row and returns none (its SQL says `RETURNING`).
struct PostgresWrite: Sendable {
    var query: PostgresQuery
    var mustChange: PostgresJournalError?

    init(_ query: PostgresQuery, mustChange: PostgresJournalError? = nil) {
        self.query = query
        self.mustChange = mustChange
    }
}
