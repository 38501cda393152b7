import Foundation
import Yams

/// A plan's or the config's YAML (or JSON) value as plain data: scalars, lists and mappings
/// with scalar keys, each with its line and column. What `DataComposer` builds once
/// `YAMLDataGuard` has refused anchors, aliases, tags and complex keys, and what `NodeReader`
/// walks.
///
/// Compact on purpose: a scalar is its text (inline up to 15 UTF-8 bytes, so an id like
/// `i-YufwpQAe` allocates nothing), a plain/quoted flag and two 32-bit positions, 32 bytes in a
/// list. Yams' own node holds a `Tag` object and a resolved mark per scalar (about 280 bytes per
/// instance id on a 100,000-id plan). Types are resolved when asked, with Yams' own YAML 1.1 rules.
enum DataNode {
    case scalar(Scalar)
    case sequence([DataNode], Position)
    case mapping([(key: DataNode, value: DataNode)], Position)

    /// 1-based line and column, as the parser reports them.
    struct Position {
        let line: Int32
        let column: Int32
    }

    /// A scalar's text and whether it was plain (unquoted: its type is resolved from the text).
    struct Scalar {
        let string: String
        let isPlain: Bool
        let position: Position
    }

    var line: Int {
        switch self {
        case .scalar(let s): Int(s.position.line)
        case .sequence(_, let p), .mapping(_, let p): Int(p.line)
        }
    }

    var column: Int {
        switch self {
        case .scalar(let s): Int(s.position.column)
        case .sequence(_, let p), .mapping(_, let p): Int(p.column)
        }
    }

    var scalar: Scalar? {
        if case .scalar(let s) = self { return s }
        return nil
    }

    var sequence: [DataNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    var mapping: [(key: DataNode, value: DataNode)]? {
        if case .mapping(let entries, _) = self { return entries }
        return nil
    }

    /// A scalar's text, whatever its type.
    var string: String? { scalar?.string }

    /// The YAML 1.1 type: a quoted scalar is a string; a plain one is resolved from its text
    /// by Yams' default resolver (bool, int, float, merge, null, timestamp, value, else str).
    var tag: Tag.Name {
        switch self {
        case .scalar(let s):
            guard s.isPlain else { return .str }
            if Self.isNullText(s.string) { return .null }
            return Resolver.default.resolveTag(of: Node.scalar(Node.Scalar(s.string)))
        case .sequence: return .seq
        case .mapping: return .map
        }
    }

    /// A plain `~`, `null`, `Null`, `NULL` or nothing: exactly Yams' null rule, without a regex
    /// (no earlier rule matches these texts), so a 100,000-id list is checked in microseconds.
    var isNull: Bool {
        guard case .scalar(let s) = self, s.isPlain else { return false }
        return Self.isNullText(s.string)
    }

    private static func isNullText(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// A YAML 1.1 boolean (true/yes/on, false/no/off in any case), as Yams constructs it.
    var bool: Bool? {
        guard tag == .bool, let text = string else { return nil }
        return Bool.construct(from: Node.Scalar(text, Tag(.bool)))
    }

    /// A YAML 1.1 float (with `_`, `.inf`, base 60), as Yams constructs it.
    var float: Double? {
        guard tag == .float, let text = string else { return nil }
        return Double.construct(from: Node.Scalar(text, Tag(.float)))
    }
}
