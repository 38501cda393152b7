/// A file taken in from the spool, known by what identifies it on disk and by its content.
public struct IntakeKey: Sendable, Equatable, CustomStringConvertible {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let mtimeNs: Int64
    public let sha256: String

    public init(device: UInt64, inode: UInt64, size: Int64, mtimeNs: Int64, sha256: String) {
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNs = mtimeNs
        self.sha256 = sha256
    }

    public init(_ snapshot: FileSnapshot, sha256: String) {
        self.init(device: snapshot.device, inode: snapshot.inode, size: snapshot.size, mtimeNs: snapshot.mtimeNs, sha256: sha256)
    }

    public var description: String { "dev \(device) inode \(inode) size \(size) sha256 \(sha256.prefix(12))…" }
}
