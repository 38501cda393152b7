/// Text from outside (file names, plan ids, keys and values from a plan, API messages) made safe
/// to print on a terminal or in a log line: every control character (C0 such as newline and ESC,
/// DEL, C1, and the Unicode line and paragraph separators) is written as a visible escape, so a
/// file name with a newline cannot forge a journald entry and an ANSI sequence cannot rewrite the
/// operator's terminal. Backslashes are kept as they are, so escaping twice changes nothing.
public enum SafeText {
    /// `"a\nb\u{1B}[2J"` → `a\nb\x1b[2J` (as printed).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x100 ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
            }
        }
        return out
    }

    /// C0 controls, DEL, C1 controls, U+2028 and U+2029.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }
}
