import CYaml
import Foundation

/// Builds the `DataNode` tree of a text that `YAMLDataGuard` found to be plain data, straight
/// from libyaml's events: one pass, no regex per scalar, and nothing kept per node but its text
/// and position. A key that appears twice in one mapping is a problem naming its key path.
enum DataComposer {
    /// A list or mapping being read: its items so far and, in a mapping, the key waiting for
    /// its value.
    private struct Open {
        let isMapping: Bool
        let position: DataNode.Position
        let path: String
        var items: [DataNode] = []
        var entries: [(key: DataNode, value: DataNode)] = []
        var pendingKey: DataNode?
        var keys: Set<String> = []
    }

    /// The root node (nil for a text without a document) or the problems found. Call it only
    /// after `YAMLDataGuard.check(text)` returned no problem: what the guard refuses is not
    /// looked for again here.
    static func compose(_ text: String) -> Result<DataNode?, ValidationError> {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return .success(nil) }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(ValidationError(file: "", problems: [ValidationProblem(path: "", message: "cannot be read: out of memory")]))
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var stack: [Open] = []
        var root: DataNode?
        var problems: [ValidationProblem] = []

        func add(_ node: DataNode) {
            guard !stack.isEmpty else {
                root = node
                return
            }
            let top = stack.count - 1
            if !stack[top].isMapping {
                stack[top].items.append(node)
            } else if let key = stack[top].pendingKey {
                stack[top].entries.append((key: key, value: node))
                stack[top].pendingKey = nil
            } else {
                let name = node.string ?? "?"
                if !stack[top].keys.insert(name).inserted, problems.count < YAMLDataGuard.maxProblems {
                    problems.append(
                        ValidationProblem(
                            path: NodeReader.join(stack[top].path, name), line: node.line, column: node.column,
                            message: "key appears twice"))
                }
                stack[top].pendingKey = node
            }
        }
        /// The key path of the node about to be added (for the paths of nested duplicates).
        func childPath() -> String {
            guard let top = stack.last else { return "" }
            if top.isMapping { return NodeReader.join(top.path, top.pendingKey?.string ?? "?") }
            return "\(top.path)[\(top.items.count)]"
        }

        let failed: ValidationProblem? = bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
                    return ValidationProblem(
                        path: "", line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1,
                        message: "does not parse: \(problem)")
                }
                defer { yaml_event_delete(&event) }
                let position = DataNode.Position(
                    line: Int32(clamping: event.start_mark.line + 1),
                    column: Int32(clamping: event.start_mark.column + 1))
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                    // As Yams reads it: a scalar without a tag is resolved from its text unless quoted.
                    add(.scalar(DataNode.Scalar(string: text, isPlain: s.quoted_implicit != 1, position: position)))
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    stack.append(Open(isMapping: event.type == YAML_MAPPING_START_EVENT, position: position, path: childPath()))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let open = stack.popLast() else { break }
                    add(open.isMapping ? .mapping(open.entries, open.position) : .sequence(open.items, open.position))
                default:
                    break
                }
            }
        }
        if let failed { return .failure(ValidationError(file: "", problems: [failed])) }
        if !problems.isEmpty { return .failure(ValidationError(file: "", problems: problems)) }
        return .success(root)
    }
}
