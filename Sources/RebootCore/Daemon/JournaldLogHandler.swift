import Foundation
import Logging

/// A swift-log handler for systemd: with `JOURNAL_STREAM` set, each line starts with the
/// sd-daemon priority (`<3>` error … `<7>` debug) and carries no timestamp (journald adds
/// one); otherwise lines are plain, with a UTC timestamp. Metadata is `key=value`.
public struct JournaldLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let journald: Bool
    let write: @Sendable (String) -> Void

    public init(
        label: String, journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        write: @escaping @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data(line.utf8)) }
    ) {
        self.label = label
        self.journald = journald
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        // Values and messages carry file names and API text: control characters are escaped,
        // so one log event is always one line and never holds a terminal escape sequence.
        let pairs = merged.sorted { $0.key < $1.key }.map { "\(SafeText.escaped($0.key))=\(Self.quote("\($0.value)"))" }
        let text = ([SafeText.escaped(event.message.description)] + pairs).joined(separator: " ")
        if journald {
            write("<\(Self.priority(event.level))>\(text)\n")
        } else {
            write("\(JournalTime.format(Date())) \(event.level) \(text)\n")
        }
    }

    static func quote(_ raw: String) -> String {
        let value = SafeText.escaped(raw)
        return value.contains(" ") || value.isEmpty ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
    }
}
