import BCC
import Foundation

/// bcc-sim's fleet file: one instance a line, fields separated by spaces, tabs or commas, `#`
/// starts a comment.
///
///     ID [STATUS] [zone=ZONE] [tag=KEY:VALUE]... [deploySet=ID]... [name=NAME]
///
/// `ID` alone or `ID STATUS` (the format before attributes existed) still reads as it did, and
/// such an instance gets the spread (`InstanceAttributes.spread`). A line with any `key=value`
/// field describes the instance's attributes fully: what it leaves out is absent (no zone, no
/// tags, no deploy set) and its name is `sim-ID`. `tag` and `deploySet` may repeat; `tag=KEY`
/// is a tag with an empty value. A value cannot hold a space, tab, comma or `#`. Other words
/// after the status are ignored, as they always were.
public enum FleetFile {
    /// Reads and parses the file at `path`.
    public static func load(path: String) throws -> [FleetEntry] {
        try parse(String(contentsOfFile: path, encoding: .utf8))
    }

    public static func parse(_ text: String) throws(FleetFileError) -> [FleetEntry] {
        var entries: [FleetEntry] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
            guard let id = fields.first else { continue }
            var entry = FleetEntry(id: id)
            var rest = fields.dropFirst()
            if let status = rest.first, !status.contains("=") {
                entry.status = InstanceStatus(status)
                rest = rest.dropFirst()
            }
            entry.attributes = try attributes(id: id, fields: Array(rest), line: number)
            entries.append(entry)
        }
        return entries
    }

    /// The attributes of the `key=value` fields, or nil when the line has none.
    private static func attributes(id: String, fields: [String], line: Int) throws(FleetFileError) -> InstanceAttributes? {
        var attributes = InstanceAttributes(name: InstanceAttributes.defaultName(id: id))
        var seen: Set<String> = []
        for field in fields {
            guard let eq = field.firstIndex(of: "=") else { continue }
            let key = String(field[..<eq])
            let value = String(field[field.index(after: eq)...])
            guard !value.isEmpty else { throw FleetFileError(line: line, message: "\(key)= has no value") }
            switch key {
            case "zone", "name":
                guard seen.insert(key).inserted else { throw FleetFileError(line: line, message: "\(key)= is given twice") }
                if key == "zone" { attributes.zoneName = value } else { attributes.name = value }
            case "tag":
                guard let tag = value.contains(":") ? InstanceTag(parsing: value) : InstanceTag(key: value, value: "") else {
                    throw FleetFileError(line: line, message: "tag=\(value) has an empty key")
                }
                if !attributes.tags.contains(tag) { attributes.tags.append(tag) }
            case "deploySet":
                if !attributes.deploySetIds.contains(value) { attributes.deploySetIds.append(value) }
            default:
                throw FleetFileError(line: line, message: "unknown field \(key)= (zone=, tag=, deploySet= or name=)")
            }
            seen.insert(key)
        }
        return seen.isEmpty ? nil : attributes
    }
}
