import PostgresNIO

/// Reads a row's cells in the order its query selected them.
struct PostgresRowReader {
    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) {
        cells = row.makeIterator()
    }

    mutating func next<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        guard let cell = cells.next() else { throw PostgresJournalError.badRow(call: "decode", reason: "fewer columns than read") }
        return try cell.decode(T.self)
    }
}
