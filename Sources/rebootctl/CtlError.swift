import Foundation

/// A runtime failure of `rebootctl`, with the sysexits code it exits with (SPEC §7). It is
/// printed as one line, `rebootctl: error: …`, never with the usage text: a script can tell a
/// typo (64, from ArgumentParser) from an outage (69) or a missing plan (66).
struct CtlError: Error, CustomStringConvertible {
    enum Kind: Int32 {
        /// An argument that names nothing unambiguously (a plan prefix two plans share).
        case usage = 64
        case badPlan = 65
        case noSuchPlan = 66
        /// The journal, the spool or the daemon is not there.
        case unavailable = 69
        case cannotWrite = 73
        case permissionDenied = 77
        case badConfig = 78
    }

    let kind: Kind
    let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String { message }

    /// The kind a failed file operation on `path` belongs to.
    static func kind(forErrno code: Int32) -> Kind {
        switch code {
        case EACCES, EPERM, EROFS: return .permissionDenied
        case ENOENT, ENOTDIR: return .unavailable
        default: return .cannotWrite
        }
    }
}
