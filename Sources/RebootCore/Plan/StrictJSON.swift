/// An RFC 8259 recognizer. Foundation's JSON parsers on Linux accept trailing commas, and a
/// plan's `.json` must be strict JSON, so this checks the grammar (and reports line and column)
/// before Yams builds the node tree.
struct StrictJSON {
    /// Where and why the text is not JSON.
    struct Failure: Error, Equatable {
        let line: Int
        let column: Int
        let message: String
    }

    private let bytes: [UInt8]
    private var i = 0

    static func validate(_ text: String) throws(Failure) {
        var parser = StrictJSON(bytes: Array(text.utf8))
        parser.skipSpace()
        try parser.value(depth: 0)
        parser.skipSpace()
        if parser.i < parser.bytes.count { throw parser.fail("unexpected text after the JSON value") }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ message: String) -> Failure {
        var line = 1, column = 1
        for b in bytes[..<min(i, bytes.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return Failure(line: line, column: column, message: message)
    }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
    }

    private mutating func expect(_ literal: String) throws(Failure) {
        for b in literal.utf8 {
            guard peek == b else { throw fail("expected \(literal)") }
            i += 1
        }
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard depth < 512 else { throw fail("nested too deeply") }
        switch peek {
        case UInt8(ascii: "{"): try object(depth: depth)
        case UInt8(ascii: "["): try array(depth: depth)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try expect("true")
        case UInt8(ascii: "f"): try expect("false")
        case UInt8(ascii: "n"): try expect("null")
        case .some(let b) where b == UInt8(ascii: "-") || (48...57).contains(b): try number()
        case nil: throw fail("unexpected end of file")
        default: throw fail("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws(Failure) {
        i += 1
        skipSpace()
        if peek == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a quoted key (no trailing commas in JSON)") }
            try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
            i += 1
            skipSpace()
            try value(depth: depth + 1)
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "}") { i += 1; return }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws(Failure) {
        i += 1
        skipSpace()
        if peek == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipSpace()
            if peek == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
            try value(depth: depth + 1)
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "]") { i += 1; return }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func string() throws(Failure) {
        i += 1
        while let b = peek {
            i += 1
            switch b {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw fail("unterminated string") }
                i += 1
                if e == UInt8(ascii: "u") {
                    for _ in 0..<4 {
                        guard let h = peek, (48...57).contains(h) || (65...70).contains(h) || (97...102).contains(h) else {
                            throw fail("bad \\u escape")
                        }
                        i += 1
                    }
                } else if !"\"\\/bfnrt".utf8.contains(e) {
                    throw fail("bad escape")
                }
            case 0..<0x20: throw fail("control character in a string")
            default: break
            }
        }
        throw fail("unterminated string")
    }

    private mutating func number() throws(Failure) {
        if peek == UInt8(ascii: "-") { i += 1 }
        guard let first = peek, (48...57).contains(first) else { throw fail("bad number") }
        i += 1
        if first != UInt8(ascii: "0") { while let d = peek, (48...57).contains(d) { i += 1 } }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard let d = peek, (48...57).contains(d) else { throw fail("bad number") }
            while let d = peek, (48...57).contains(d) { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard let d = peek, (48...57).contains(d) else { throw fail("bad number") }
            while let d = peek, (48...57).contains(d) { i += 1 }
        }
    }
}
