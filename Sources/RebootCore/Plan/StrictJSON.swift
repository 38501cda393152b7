/// An RFC 8259 recognizer. Foundation's JSON parsers on Linux accept trailing commas, and a
/// plan's `.json` must be strict JSON, so this checks the grammar (and reports line and column)
/// before Yams builds the node tree. It also holds JSON to the limits of plain data (SPEC §2):
/// nesting at most `YAMLDataGuard.maxDepth` deep, strings and numbers at most
/// `YAMLDataGuard.maxScalarBytes` long, each refusal named by its key path.
struct StrictJSON {
    /// Where and why the text is not JSON (or is JSON beyond the limits: `isLimit`).
    struct Failure: Error, Equatable {
        let line: Int
        let column: Int
        let message: String
        var path: String = ""
        var isLimit = false
    }

    private let bytes: [UInt8]
    private var i = 0
    /// Key names and indexes down to the value being read.
    private var pathStack: [String] = []

    static func validate(_ text: String) throws(Failure) {
        var parser = StrictJSON(bytes: Array(text.utf8))
        parser.skipSpace()
        try parser.value(depth: 0)
        parser.skipSpace()
        if parser.i < parser.bytes.count { throw parser.fail("unexpected text after the JSON value") }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ message: String) -> Failure {
        var line = 1
        var column = 1
        for b in bytes[..<min(i, bytes.count)] {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Failure(line: line, column: column, message: message)
    }

    private func limit(_ message: String, at start: Int) -> Failure {
        var copy = self
        copy.i = start
        var failure = copy.fail(message)
        failure.path = pathStack.reduce("") { $1.hasPrefix("[") ? $0 + $1 : NodeReader.join($0, $1) }
        failure.isLimit = true
        return failure
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
        if (peek == UInt8(ascii: "{") || peek == UInt8(ascii: "[")) && depth + 1 > YAMLDataGuard.maxDepth {
            throw limit("nested more than \(YAMLDataGuard.maxDepth) levels deep", at: i)
        }
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
        if peek == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a quoted key (no trailing commas in JSON)") }
            let keyStart = i
            try string()
            let key = String(decoding: bytes[(keyStart + 1)..<(i - 1)].prefix(YAMLDataGuard.maxScalarBytes), as: UTF8.self)
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
            i += 1
            skipSpace()
            pathStack.append(key)
            try value(depth: depth + 1)
            pathStack.removeLast()
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if peek == UInt8(ascii: "}") {
                i += 1
                return
            }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func array(depth: Int) throws(Failure) {
        i += 1
        skipSpace()
        if peek == UInt8(ascii: "]") {
            i += 1
            return
        }
        var index = 0
        while true {
            skipSpace()
            if peek == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
            pathStack.append("[\(index)]")
            try value(depth: depth + 1)
            pathStack.removeLast()
            index += 1
            skipSpace()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if peek == UInt8(ascii: "]") {
                i += 1
                return
            }
            throw fail("expected ',' or ']'")
        }
    }

    /// A string; its value (escapes decoded) may hold at most `YAMLDataGuard.maxScalarBytes`.
    private mutating func string() throws(Failure) {
        let start = i
        var length = 0
        i += 1
        while let b = peek {
            i += 1
            if b == UInt8(ascii: "\"") { return }
            length += 1
            switch b {
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw fail("unterminated string") }
                i += 1
                if e == UInt8(ascii: "u") {
                    var unit = 0
                    for _ in 0..<4 {
                        guard let h = peek, let digit = Int(String(UnicodeScalar(h)), radix: 16) else {
                            throw fail("bad \\u escape")
                        }
                        unit = unit * 16 + digit
                        i += 1
                    }
                    // Counted as the UTF-8 bytes it stands for (a surrogate as half of four).
                    length += (unit < 0x80 ? 1 : unit < 0x800 || (0xD800...0xDFFF).contains(unit) ? 2 : 3) - 1
                } else if !"\"\\/bfnrt".utf8.contains(e) {
                    throw fail("bad escape")
                }
            case 0..<0x20: throw fail("control character in a string")
            default: break
            }
            if length > YAMLDataGuard.maxScalarBytes {
                throw limit("a string longer than \(YAMLDataGuard.maxScalarBytes) bytes", at: start)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func number() throws(Failure) {
        let start = i
        try numberToken()
        if i - start > YAMLDataGuard.maxScalarBytes {
            throw limit("a number longer than \(YAMLDataGuard.maxScalarBytes) characters", at: start)
        }
    }

    private mutating func numberToken() throws(Failure) {
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
