import BCC
import Crypto
import Foundation

/// A plan file read from disk and validated: the plan, its bytes' SHA-256 and its owner.
/// Refuses symlinks, non-regular files, files over 16 MiB and unknown extensions before parsing.
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

    /// Reads and validates `path`; every problem found is in the thrown error.
    public static func load(path: String, parser: PlanParser) throws(ValidationError) -> PlanFile {
        let fileName = (path as NSString).lastPathComponent
        func fail(_ message: String) -> ValidationError {
            ValidationError(file: fileName, problems: [ValidationProblem(path: "", message: message)])
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw fail("cannot be read: \(String(cString: strerror(errno)))") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw fail("is a symbolic link; place the plan file itself")
        case S_IFDIR: throw fail("is a directory, not a plan file")
        case S_IFIFO: throw fail("is a FIFO, not a regular file")
        default: throw fail("is not a regular file")
        }
        let ext = (fileName as NSString).pathExtension
        guard let format = PlanParser.Format(fileExtension: ext) else {
            throw fail("has extension \"\(ext)\"; a plan must end in .yaml, .yml or .json")
        }
        guard info.st_size <= off_t(Plan.maxFileSize) else {
            throw fail("is \(info.st_size) bytes; a plan may be at most 16 MiB")
        }
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            throw fail("cannot be read: permission denied or removed while reading")
        }
        try? handle.close()
        guard data.count <= Plan.maxFileSize else { throw fail("is larger than 16 MiB") }
        guard let text = String(data: data, encoding: .utf8) else { throw fail("is not UTF-8 text") }
        let plan = try parser.parse(text, fileName: fileName, format: format)
        return PlanFile(
            path: path, fileName: fileName, format: format, plan: plan, sha256: sha256Hex(data), data: data,
            owner: FileOwner(uid: info.st_uid))
    }

    public static func sha256Hex(_ data: Data) -> String {
        FastFormat.hex(SHA256.hash(data: data))
    }
}
