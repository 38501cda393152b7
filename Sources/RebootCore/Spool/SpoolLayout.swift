import Foundation

/// The spool's shape (SPEC §3), shared by the daemon and `rebootctl`: the subdirectories, the
/// names that are never read (temporary ones), and the control verbs.
public struct SpoolLayout: Sendable, Equatable {
    public enum Subdirectory: String, Sendable, CaseIterable {
        case incoming, accepted, rejected, control
    }

    /// The verbs a control file `{planId}.{verb}` may carry.
    public enum Verb: String, Sendable, CaseIterable {
        case pause, resume, cancel
    }

    public let root: String

    public init(root: String) { self.root = root }

    public var incoming: String { path(.incoming) }
    public var accepted: String { path(.accepted) }
    public var rejected: String { path(.rejected) }
    public var control: String { path(.control) }

    public func path(_ sub: Subdirectory) -> String { root + "/" + sub.rawValue }
    public func path(_ sub: Subdirectory, _ name: String) -> String { path(sub) + "/" + name }

    /// Names starting with `.` or ending in `.tmp` are being written: never read.
    public static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") || name.hasSuffix(".tmp") }

    /// A temporary name in the same directory for `name`, unique to this process and call.
    public static func temporaryName(for name: String) -> String {
        ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    }

    /// The name a control file for `verb` on `planId` has.
    public static func controlName(planId: String, verb: Verb) -> String { "\(planId).\(verb.rawValue)" }

    /// `{planId}.{verb}` split; nil parts when the name names no plan or an unknown verb.
    public static func parseControl(_ name: String) -> (planId: String, verb: Verb?) {
        let verb = (name as NSString).pathExtension
        let planId = (name as NSString).deletingPathExtension
        return (verb.isEmpty ? "" : planId, Verb(rawValue: verb))
    }

    /// The name an accepted file gets: `{planId}.yaml` or `{planId}.json`, by the original extension.
    public static func acceptedName(planId: String, originalName: String) -> String {
        planId + ((originalName as NSString).pathExtension.lowercased() == "json" ? ".json" : ".yaml")
    }

    /// The `.error` file beside a rejected file.
    public static func errorName(for name: String) -> String { name + ".error" }
}
