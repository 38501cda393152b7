import BCC
import Crypto
import Foundation

/// A plan file read from disk and validated: the plan, its bytes' SHA-256 and its owner.
/// Refuses symlinks, non-regular files, hard-linked files, files over 16 MiB and unknown
/// extensions before parsing.
public struct PlanFile: Sendable {
    public let path: String
    public let fileName: String
    public let format: PlanParser.Format
    public let plan: Plan
    public let sha256: String
    public let data: Data
    public let owner: FileOwner

    public init(path: String, fileName: String, format: PlanParser.Format, plan: Plan, sha256: String, data: Data, owner: FileOwner) {
        self.path = path
        self.fileName = fileName
        self.format = format
        self.plan = plan
        self.sha256 = sha256
        self.data = data
        self.owner = owner
    }

    /// Reads and validates `path` (any path, as `rebootctl validate` gives it): opened without
    /// following a link and without blocking, checked on the open descriptor (SPEC §3); every
    /// problem found is in the thrown error.
    public static func load(path: String, parser: PlanParser) throws(ValidationError) -> PlanFile {
        let fileName = (path as NSString).lastPathComponent
        switch SpoolFileReader.read(path) {
        case .gone:
            throw ValidationError(
                file: fileName, problems: [ValidationProblem(path: "", message: "cannot be read: \(String(cString: strerror(ENOENT)))")])
        case .refused(let reason):
            throw ValidationError(file: fileName, problems: [ValidationProblem(path: "", message: reason)])
        case .read(let data, let snapshot):
            return try load(data: data, path: path, owner: FileOwner(uid: snapshot.uid), parser: parser)
        }
    }

    /// Validates bytes already read from `path` (whose last component names the format).
    public static func load(data: Data, path: String, owner: FileOwner, parser: PlanParser) throws(ValidationError) -> PlanFile {
        let fileName = (path as NSString).lastPathComponent
        func fail(_ message: String) -> ValidationError {
            ValidationError(file: fileName, problems: [ValidationProblem(path: "", message: message)])
        }
        let ext = (fileName as NSString).pathExtension
        guard let format = PlanParser.Format(fileExtension: ext) else {
            throw fail("has extension \"\(ext)\"; a plan must end in .yaml, .yml or .json")
        }
        guard data.count <= Plan.maxFileSize else { throw fail("is larger than 16 MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw fail("is not UTF-8 text") }
        let plan = try parser.parse(text, fileName: fileName, format: format)
        return PlanFile(
            path: path, fileName: fileName, format: format, plan: plan, sha256: sha256Hex(data), data: data, owner: owner)
    }

    public static func sha256Hex(_ data: Data) -> String {
        FastFormat.hex(SHA256.hash(data: data))
    }
}
