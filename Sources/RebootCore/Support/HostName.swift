import Foundation

/// This machine's host name, as `gethostname(2)` gives it, read once per process: the sender
/// that every notification names (SPEC §4.15). Not `ProcessInfo.hostName`, which may ask DNS.
public enum HostName {
    public static let current: String = read()

    static func read() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown-host" : SafeText.escaped(name)
    }
}
