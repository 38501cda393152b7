import CYaml
import Foundation

/// Plans and the config are data, nothing more (SPEC §2): this reads the text as libyaml
/// *events*, before anything builds or walks a node graph, and refuses anchors, aliases, tags
/// (explicit ones like `!!str` or `!foo`, and `%TAG` directives), complex (non-scalar) keys, more
/// than one document, nesting deeper than `maxDepth` and scalars longer than `maxScalarBytes`.
///
/// One pass over the events, without expanding anything, so a "billion laughs" alias bomb is
/// refused at its first anchor in microseconds instead of being hashed structure by structure.
/// Every refusal names the key path it was found at, and the line and column.
public enum YAMLDataGuard {
    /// Collections nested in one another, the root one included.
    public static let maxDepth = 16
    /// The longest scalar, in UTF-8 bytes of its value.
    public static let maxScalarBytes = 1024
    /// Refusals listed before the guard stops reading.
    static let maxProblems = 20

    /// Where the reader is: a mapping (waiting for a key or for the value of `key`) or a sequence.
    private enum Frame {
        case mapping(key: String?, expectingKey: Bool)
        case sequence(index: Int)
    }

    /// The problems found in `text`; empty when the text is plain data (or does not parse in a way
    /// the composer will report itself, which it then does). A parse error is reported here as
    /// "does not parse".
    public static func check(_ text: String) -> [ValidationProblem] {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return [] }
        var problems: [ValidationProblem] = []
        var stack: [Frame] = []
        var documents = 0

        func path() -> String {
            var out = ""
            for frame in stack {
                switch frame {
                case .mapping(let key, let expectingKey):
                    guard !expectingKey, let key else { continue }
                    out = NodeReader.join(out, key)
                case .sequence(let index):
                    out += "[\(index)]"
                }
            }
            return out
        }
        func refuse(_ message: String, _ mark: yaml_mark_t, path explicit: String? = nil) {
            problems.append(ValidationProblem(path: explicit ?? path(), line: mark.line + 1, column: mark.column + 1, message: message))
        }
        /// A node starts (scalar, collection or alias): is it a key, and is it allowed there?
        func nodeStarts(isScalar: Bool, _ mark: yaml_mark_t) {
            guard !isScalar, case .mapping(_, true)? = stack.last else { return }
            refuse("keys must be plain strings, not lists or mappings (complex keys are refused)", mark)
        }
        /// A node ended: advance the parent (key → value → next key; next index).
        func nodeEnded(scalarValue: String?) {
            guard let top = stack.last else { return }
            switch top {
            case .mapping(_, true):
                stack[stack.count - 1] = .mapping(key: scalarValue ?? "?", expectingKey: false)
            case .mapping(_, false):
                stack[stack.count - 1] = .mapping(key: nil, expectingKey: true)
            case .sequence(let index):
                stack[stack.count - 1] = .sequence(index: index + 1)
            }
        }
        func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: UnsafePointer(pointer))
        }
        func short(_ text: String) -> String { text.count > 40 ? String(text.prefix(40)) + "…" : text }

        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return [ValidationProblem(path: "", message: "cannot be read: out of memory")]
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while problems.count < maxProblems {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
                    let context = parser.context.map { String(cString: $0) + ": " } ?? ""
                    problems.append(
                        ValidationProblem(
                            path: "", line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1,
                            message: "does not parse: \(context)\(problem)"))
                    return
                }
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        refuse("holds more than one YAML document; a file holds one plan", mark, path: "")
                        return
                    }
                    if event.data.document_start.tag_directives.start != event.data.document_start.tag_directives.end {
                        refuse("%TAG directives are refused: plans are data, without tags", mark, path: "")
                    }
                case YAML_ALIAS_EVENT:
                    nodeStarts(isScalar: true, mark)
                    refuse("aliases (*\(short(string(event.data.alias.anchor) ?? ""))) are refused: plans are data; write the value out", mark)
                    nodeEnded(scalarValue: nil)
                case YAML_SCALAR_EVENT:
                    nodeStarts(isScalar: true, mark)
                    let scalar = event.data.scalar
                    if let anchor = string(scalar.anchor) {
                        refuse("anchors (&\(short(anchor))) are refused: plans are data", mark)
                    }
                    if let tag = string(scalar.tag) {
                        refuse("tags (\(short(tag))) are refused: plans are data; quote the value if it must be a string", mark)
                    }
                    var value: String?
                    if scalar.length > maxScalarBytes {
                        refuse("a value of \(scalar.length) bytes; at most \(maxScalarBytes) are allowed", mark)
                    } else if case .mapping(_, true)? = stack.last {
                        value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                    }
                    nodeEnded(scalarValue: value)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    nodeStarts(isScalar: false, mark)
                    let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                    if let anchor = string(anchor) { refuse("anchors (&\(short(anchor))) are refused: plans are data", mark) }
                    if let tag = string(tag) { refuse("tags (\(short(tag))) are refused: plans are data", mark) }
                    if stack.count + 1 > maxDepth {
                        refuse("nested more than \(maxDepth) levels deep", mark)
                        return
                    }
                    stack.append(isMapping ? .mapping(key: nil, expectingKey: true) : .sequence(index: 0))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if !stack.isEmpty { stack.removeLast() }
                    nodeEnded(scalarValue: nil)
                default:
                    break
                }
            }
        }
        return problems
    }
}
