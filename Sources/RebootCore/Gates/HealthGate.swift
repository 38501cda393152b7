import Foundation

/// A health gate defined in the config (SPEC §4.14, §6 `gates`): what must pass before a plan
/// that names it starts a batch. Only the config defines gates, so a plan's submitter can never
/// make the daemon (which holds the cloud keys) run a command or call a URL of their choosing.
public struct HealthGate: Sendable, Equatable {
    /// What the gate checks; exactly one kind per gate.
    public enum Kind: Sendable, Equatable {
        /// Prometheus' HTTP API instant query: passes when the result is an empty vector.
        case prometheus(base: URL, query: String)
        /// An HTTP GET: passes on a 2xx answer; redirects are not followed.
        case http(URL)
        /// A command, run without a shell in a clean environment: passes on exit 0.
        case command([String])
    }

    public var name: String
    public var kind: Kind
    /// How long one check may take; past it the check counts as blocked (and a command is killed).
    public var timeout: TimeInterval

    public static let defaultTimeout: TimeInterval = 10

    public init(name: String, kind: Kind, timeout: TimeInterval = HealthGate.defaultTimeout) {
        self.name = name
        self.kind = kind
        self.timeout = timeout
    }

    /// The kind as a word, for messages and the journal.
    public var kindName: String {
        switch kind {
        case .prometheus: "prometheus"
        case .http: "http"
        case .command: "command"
        }
    }
}
