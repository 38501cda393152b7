import Foundation

/// A plan after the fact (SPEC §10), as `rebootctl report --json` prints it and as the HTML
/// report draws it: the header and settings, counts by outcome, every instance with the span
/// from its first reboot call to the poll that saw it Running and what happened in between,
/// every batch, the plan's marks on the time axis, reboot durations and reboot calls by kind.
/// Version 1; keys are only ever added. Times are RFC 3339, UTC, milliseconds.
public struct PlanReport: Codable, Sendable, Equatable {
    public var version = 1
    public var plan: Header
    /// Instances by state, every state present.
    public var counts: [String: Int]
    /// Of the rebooted instances: first reboot call → the poll that saw Running.
    public var durations: Durations?
    /// Reboot calls (`kind` reboot or resend) by outcome. Status polls change nothing and are
    /// not journaled, so they are not counted here.
    public var apiCalls: [CallCount]
    /// The time axis: from the first batch start (or call) to the end.
    public var start: String
    public var end: String
    public var instances: [Instance]
    public var batches: [Batch]
    /// Batch starts and ends, pauses and resumes, gate checks, controls, account pauses, halts.
    public var marks: [Mark]

    /// Who, what and when.
    public struct Header: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        /// The plan's change ticket; left out when it has none.
        public var ticket: String?
        public var state: String
        public var reason: String?
        public var sourceFile: String
        public var sha256: String
        public var submitter: String
        public var submitterUid: Int
        public var submittedAt: String
        public var startedAt: String?
        public var finishedAt: String?
        public var settings: Settings
    }

    /// The plan's parameters, as run.
    public struct Settings: Codable, Sendable, Equatable {
        public var batchSizes: [Int]
        public var batchSummary: String
        public var forceStop: Bool
        public var pauseBetweenBatches: Double
        public var maxFailures: String
        public var rebootTimeout: Double
        public var conflictMaxAttempts: Int
        public var conflictTimeout: Double
        public var window: String?
        public var startAfter: String?
        public var region: String?
        public var dryRun: Bool
        public var healthGates: [String]
    }

    /// One instance's story.
    public struct Instance: Codable, Sendable, Equatable {
        public var id: String
        /// 1-based.
        public var batch: Int
        public var state: String
        /// Why it failed or was skipped or cancelled.
        public var reason: String?
        public var firstCallAt: String?
        /// When a poll saw it Running after its accepted reboot (rebooted instances only).
        public var runningAt: String?
        public var finishedAt: String?
        public var attempts: Int
        public var conflicts: Int
        /// 409 waits, retries, calls in doubt, re-sends.
        public var marks: [Mark]
        /// Its availability zone, when known.
        public var zone: String? = nil
    }

    /// One batch.
    public struct Batch: Codable, Sendable, Equatable {
        /// 1-based.
        public var number: Int
        public var size: Int
        public var startedAt: String?
        public var doneAt: String?
        public var counts: [String: Int]
        /// The availability zones of its instances, when known (`zones`, `select`: SPEC §2).
        public var zones: [String] = []
    }

    /// Something at a moment, or over a span (`until`).
    public struct Mark: Codable, Sendable, Equatable {
        /// Instance marks: `conflict` (a 409 and the wait after it), `retry` (throttled or a
        /// transient error), `in-doubt` (an answer that never came, until it was resolved),
        /// `resend`. Plan marks: `batch-start`, `batch-done`, `paused`, `resumed`, `control`,
        /// `gate-passed`, `gate-blocked`, `account-paused`, `halted`, `cancelled`, `in-doubt`.
        public var kind: String
        public var at: String
        public var until: String?
        public var detail: String
        /// For controls: who asked.
        public var by: String?

        public init(kind: String, at: String, until: String? = nil, detail: String, by: String? = nil) {
            self.kind = kind
            self.at = at
            self.until = until
            self.detail = detail
            self.by = by
        }
    }

    /// Reboot durations in seconds.
    public struct Durations: Codable, Sendable, Equatable {
        public var count: Int
        public var p50: Double
        public var p95: Double
        public var max: Double
    }

    /// Reboot calls of one kind with one outcome.
    public struct CallCount: Codable, Sendable, Equatable {
        public var kind: String
        public var outcome: String
        public var count: Int
    }
}
