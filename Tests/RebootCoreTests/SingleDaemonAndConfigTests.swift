import BCC
import Foundation
import Logging
import XCTest

@testable import RebootCore

/// SPEC §4.12 (one daemon) and the config rule that keeps in-doubt evidence possible (§6).
final class SingleDaemonAndConfigTests: XCTestCase {
    func testRule4_12_ASecondLockFailsNamingTheHolder() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        defer { unlink(path) }
        var held: DaemonLock? = try DaemonLock(path: path)
        XCTAssertThrowsError(try DaemonLock(path: path)) { error in
            let failure = error as? DaemonLock.Failure
            XCTAssertEqual(failure?.holderPid, getpid())
            XCTAssertTrue(failure?.description.contains("pid \(getpid())") ?? false)
        }
        XCTAssertNotNil(held)
        held = nil
        XCTAssertNoThrow(try DaemonLock(path: path), "released with its holder")
    }

    /// Issue 23 #9, SPEC §4.12: the lock is named from the real path. A second config that
    /// names the journal through a symlink took a second lock, and two daemons ran on one journal.
    func testRule4_12_AJournalReachedThroughASymlinkTakesTheSameLock() throws {
        let (dir, config) = try DaemonTestConfig.make("symlock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try RebootDaemon(configPath: config, environment: [:], logger: Logger(label: "symlock"))
        // The same journal file by another name, with a spool of its own.
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link.sqlite", withDestinationPath: dir.path + "/journal.sqlite")
        let aliased = dir.path + "/aliased.yaml"
        try (try String(contentsOfFile: config, encoding: .utf8))
            .replacingOccurrences(of: "journal: \(dir.path)/journal.sqlite", with: "journal: \(dir.path)/link.sqlite")
            .replacingOccurrences(of: "spoolDir: \(dir.path)/spool", with: "spoolDir: \(dir.path)/spool2")
            .write(toFile: aliased, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(
            try RebootDaemon(configPath: aliased, environment: [:], logger: Logger(label: "symlock")), "a second daemon on the same journal"
        ) { error in
            XCTAssertTrue("\(error)".contains("pid \(getpid())"), "\(error)")
        }
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/alias", withDestinationPath: dir.path)
        XCTAssertEqual(DaemonLock.realPath(dir.path + "/alias/journal.sqlite"), DaemonLock.realPath(dir.path + "/journal.sqlite"))
        XCTAssertEqual(DaemonLock.realPath(dir.path + "/alias/not-yet"), DaemonLock.realPath(dir.path) + "/not-yet", "a path not made yet")
        withExtendedLifetime(first) {}
    }

    /// SPEC §6 (issue 23): `minRebootTime` is read and must be positive; the retired
    /// `inDoubtGrace` is still accepted, with a warning naming what to do, which `--check` prints.
    func testMinRebootTimeIsReadAndTheRetiredInDoubtGraceWarns() throws {
        XCTAssertEqual(try ConfigLoader.parse("minRebootTime: 45s\n", file: "c.yaml").minRebootTime, 45)
        XCTAssertEqual(try ConfigLoader.parse("", file: "c.yaml").minRebootTime, 10, "the default")
        XCTAssertEqual(try ConfigLoader.parse("", file: "c.yaml").warnings, [])
        XCTAssertThrowsError(try ConfigLoader.parse("minRebootTime: 0s\n", file: "c.yaml")) { error in
            XCTAssertEqual((error as? ValidationError)?.problems.map(\.path), ["minRebootTime"])
        }
        let retired = try ConfigLoader.parse("inDoubtGrace: 30s\n", file: "c.yaml")
        XCTAssertEqual(retired.warnings.count, 1)
        XCTAssertTrue(retired.warnings.first?.contains("inDoubtGrace is retired") == true, "\(retired.warnings)")
        XCTAssertTrue(retired.warnings.first?.contains("remove the key") == true, "it says what to do: \(retired.warnings)")
        XCTAssertEqual(retired.schedulerSettings.minRebootTime, 10, "and it changes nothing")

        let (dir, config) = try DaemonTestConfig.make("retired") { _ in "inDoubtGrace: 30s\n" }
        defer { try? FileManager.default.removeItem(at: dir) }
        let checked = try ConfigCheck.run(configPath: config, environment: [:])
        XCTAssertTrue(checked.contains("warning: inDoubtGrace is retired"), checked)
    }

    func testRule4_8_ConfigRefusesAGapShorterThanTimeoutPlusPollInterval() throws {
        XCTAssertThrowsError(try ConfigLoader.parse("requestTimeout: 10s\npollInterval: 5s\ninDoubtMaxGap: 15s\n", file: "c.yaml")) { error in
            let problems = (error as? ValidationError)?.problems ?? []
            XCTAssertEqual(problems.map(\.path), ["inDoubtMaxGap"])
            XCTAssertTrue(problems.first?.message.contains("requestTimeout") ?? false)
        }
        XCTAssertEqual(try ConfigLoader.parse("requestTimeout: 10s\npollInterval: 5s\ninDoubtMaxGap: 16s\n", file: "c.yaml").inDoubtMaxGap, 16)
        XCTAssertEqual(try ConfigLoader.parse("", file: "c.yaml").inDoubtMaxGap, 20, "the default")
    }

    func testRetryAfterInSecondsOrAsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_784_000_000)
        XCTAssertEqual(RetryAfter.parse("7", now: now), 7)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        XCTAssertEqual(RetryAfter.parse(formatter.string(from: now + 90), now: now) ?? -1, 90, accuracy: 1)
        XCTAssertEqual(RetryAfter.parse(formatter.string(from: now - 90), now: now), 0, "a date in the past")
        XCTAssertNil(RetryAfter.parse("soon", now: now))
    }
}
