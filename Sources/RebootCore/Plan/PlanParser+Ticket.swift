/// The plan's `ticket` (SPEC §2): optional, up to 128 printable characters.
extension PlanParser {
    /// The longest ticket, in Unicode code points.
    public static let maxTicketLength = 128

    /// `ticket`: any scalar's text (a number is its digits), when it is printable, not blank
    /// and at most `maxTicketLength` code points long.
    func readTicket(_ node: DataNode, reader r: NodeReader) -> String? {
        guard let text = r.string(node, path: "ticket") else { return nil }
        if let problem = Self.ticketProblem(text) {
            r.problem("ticket", node, problem)
            return nil
        }
        return text
    }

    /// Why `text` cannot be a ticket, or nil when it can.
    public static func ticketProblem(_ text: String) -> String? {
        if let (offset, scalar) = text.unicodeScalars.enumerated().first(where: { !isPrintable($0.element) }) {
            let code = String(scalar.value, radix: 16, uppercase: true)
            return "must hold printable characters only; U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)"
                + " at character \(offset + 1) is a control, format or separator character"
        }
        let length = text.unicodeScalars.count
        if length > maxTicketLength { return "is \(length) characters long; at most \(maxTicketLength) are allowed" }
        if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) { return "must not be empty; leave the key out for no ticket" }
        return nil
    }

    /// Not a control (C0, DEL, C1), format (bidi overrides, zero-width characters), line or
    /// paragraph separator, private-use or unassigned code point: what prints as itself.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: false
        default: true
        }
    }
}
