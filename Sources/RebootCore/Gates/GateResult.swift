import Foundation

/// One check of one gate: passed or blocked, and why, in words an operator reads in
/// `rebootctl status` ("exit 1: quorum 2/3", "2 series: alertname=HighErrorRate", "timeout after 10s").
public struct GateResult: Sendable, Equatable {
    public var passed: Bool
    /// The result in one line (at most 200 characters).
    public var detail: String
    /// A command's output, its first 1 KiB, journaled with the check.
    public var output: String?

    public init(passed: Bool, detail: String, output: String? = nil) {
        self.passed = passed
        self.detail = String(detail.prefix(200))
        self.output = output
    }

    public static func passed(_ detail: String, output: String? = nil) -> GateResult { GateResult(passed: true, detail: detail, output: output) }
    public static func blocked(_ detail: String, output: String? = nil) -> GateResult { GateResult(passed: false, detail: detail, output: output) }

    /// The result word used in the journal and as the metrics label.
    public var word: String { passed ? "passed" : "blocked" }
}
