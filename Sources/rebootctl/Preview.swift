import ArgumentParser
import BCC
import Dispatch
import Foundation
import RebootCore

/// `rebootctl preview FILE` (SPEC §7): what the plan would meet if it started now, from read
/// calls against the live API (list and describe, never a reboot).
struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show what a plan would meet now, from read calls only: exit 0, or 65 when it would skip or fail instances at once (or is bad)."
    )
    @OptionGroup var options: ConfigOptions
    @Flag(help: "Print one JSON object (plan, instances, selected, unknown, notRunning, batches, windows, failure).") var json = false
    @Argument(help: "The plan file (.yaml, .yml, .json).") var file: String

    func run() throws {
        if let error = PlanVerdicts.readError(file) { throw error }
        let plan: Plan
        // A plan already submitted (waiting for its window) is previewed too: no duplicate check.
        switch PlanVerdicts(options: options).check(file, duplicates: false) {
        case .success(let loaded): plan = loaded.plan
        case .failure(let error):
            print("\(SafeText.escaped(file)): REJECTED\n" + error.problems.map { "  - \($0)" }.joined(separator: "\n"))
            throw ExitCode(65)
        }
        let config = try options.load()
        let credentials: BCECredentials
        do { credentials = try CredentialsLoader.load(config: config) } catch {
            throw CtlError(error.description.contains("ermission") ? .permissionDenied : .badConfig, error.description)
        }
        let client: BCCClient
        do {
            let (transport, _) = try CloudTransport.make(config: config, environment: ProcessInfo.processInfo.environment)
            client = try CloudTransport.client(config: config, region: plan.region, credentials: credentials, transport: transport)
        } catch {
            throw CtlError(.badConfig, "\(error)")
        }
        let rate = config.rateLimit.requestsPerSecond
        let preview = try Self.wait { () async throws(BCCError) -> PlanPreview in
            try await PlanPreview.gather(plan: plan, client: client, requestsPerSecond: rate, now: { Date() })
        }
        if json { try printJSON(preview) } else { print(Self.text(preview)) }
        if preview.wouldSkipOrFail { throw ExitCode(65) }
    }

    /// Runs the read calls; an API that refuses or cannot be reached is exit 69.
    static func wait(_ work: @escaping @Sendable () async throws(BCCError) -> PlanPreview) throws -> PlanPreview {
        final class Box: @unchecked Sendable { var result: Result<PlanPreview, BCCError>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(BCCError) { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        switch box.result {
        case .success(let preview)?: return preview
        case .failure(let error)?:
            throw CtlError(
                .unavailable, "the API answered \(error.httpStatus.map { "\($0) " } ?? "")\(error.code): \(SafeText.escaped(error.message))")
        case nil: throw CtlError(.unavailable, "the preview did not finish")
        }
    }

    /// The report, within 80 columns; ids never cut.
    static func text(_ p: PlanPreview) -> String {
        let e = SafeText.escaped
        var lines = [
            "plan \(e(p.plan)): \(p.instances.count) instances\(p.selected.map { " (select matched \($0))" } ?? ""), \(p.batches.count) batches"
        ]
        if let failure = p.failure { lines.append("cannot start: \(e(failure))") }
        if !p.unknown.isEmpty {
            lines.append("unknown to the API (skipped at once, NotFound): \(p.unknown.count)")
            lines += p.unknown.map { "  \(e($0))" }
        }
        if !p.notRunning.isEmpty {
            lines.append("not Running now: \(p.notRunning.count)")
            lines += p.notRunning.map { "  \(e($0.id))  \(e($0.status)): \($0.outcome)" }
        }
        lines.append("batches:")
        for b in p.batches.prefix(50) {
            let zones = b.zones.isEmpty ? "zone unknown" : b.zones.map(e).joined(separator: ", ")
            lines.append(
                "  \(String(b.number).padding(toLength: 5, withPad: " ", startingAt: 0)) \(String(b.size).padding(toLength: 6, withPad: " ", startingAt: 0)) \(zones)"
            )
        }
        if p.batches.count > 50 { lines.append("  … \(p.batches.count - 50) more") }
        lines += p.windows.map { e($0) }
        lines.append(
            p.wouldSkipOrFail
                ? "verdict: \(p.failure != nil ? "the plan cannot start" : "\(p.unknown.count + p.notRunning.filter { $0.outcome != "waited for" }.count) instances would be skipped or failed at once") (exit 65)"
                : "verdict: every instance is known and Running")
        return lines.joined(separator: "\n")
    }
}
