/// A plan's `zones` (SPEC §2): whether batches may mix availability zones.
public enum ZoneRolling: String, Sendable, Equatable, Codable {
    /// Batches ignore zones (the default).
    case mixed
    /// A batch holds instances of one zone only, and a zone's instances all finish before the
    /// next zone starts (zones in the order they first appear): two zones never reboot at once.
    case oneAtATime = "one-at-a-time"
}
