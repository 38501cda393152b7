/// One tag an instance carries, `{"tagKey", "tagValue"}` on the wire (SPEC §1); written
/// `key:value` in plans and in the list call's `tags` filter.
public struct InstanceTag: Codable, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key:value` (split at the first colon; the value may be empty, the key may not).
    /// A text without a colon is not a tag here: BCC's key-only filter is not offered.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return nil }
        self.init(key: String(text[..<colon]), value: String(text[text.index(after: colon)...]))
    }

    /// `key:value`, the list call's form.
    public var description: String { "\(key):\(value)" }

    enum CodingKeys: String, CodingKey {
        case key = "tagKey"
        case value = "tagValue"
    }

    /// A tag without `tagValue` (or with null) has the empty value.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        value = try c.decodeIfPresent(String.self, forKey: .value) ?? ""
    }
}
