import Foundation
import XCTest

@testable import RebootCore

/// The exclusive temporary file `rebootctl submit` writes through (SPEC §3).
final class ExclusiveFileTests: XCTestCase {
    func testTheTemporaryFileIsCreatedExclusivelyAndNeverFollowsASymlink() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("excl-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim"
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)

        let names = Set((0..<50).map { _ in ExclusiveFile.temporaryName() })
        XCTAssertEqual(names.count, 50, "unpredictable")
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }, "never read by the daemon")

        // A symlink planted at the temporary name is neither followed nor replaced.
        XCTAssertEqual(symlink(victim, dir + "/.planted.tmp"), 0)
        XCTAssertThrowsError(try ExclusiveFile.create(directory: dir, name: ".planted.tmp", data: Data("evil".utf8))) { error in
            XCTAssertTrue([EEXIST, ELOOP].contains((error as? ExclusiveFile.Failure)?.errno ?? 0), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious")
        // A plain file already there is not truncated either.
        XCTAssertThrowsError(try ExclusiveFile.create(directory: dir, name: "victim", data: Data()))
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious")

        // Placed whole, mode 0640 whatever the umask, and an existing target is not replaced.
        let old = umask(0o077)
        defer { umask(old) }
        try ExclusiveFile.place(Data("instances: [i-a1]\n".utf8), directory: dir, finalName: "plan.yaml")
        var info = stat()
        XCTAssertEqual(lstat(dir + "/plan.yaml", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o640)
        XCTAssertEqual(info.st_nlink, 1)
        XCTAssertEqual(try String(contentsOfFile: dir + "/plan.yaml", encoding: .utf8), "instances: [i-a1]\n")
        XCTAssertThrowsError(try ExclusiveFile.place(Data("x".utf8), directory: dir, finalName: "plan.yaml"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".submit-") }, [], "no temporary file left")
    }
}
