import Foundation
import XCTest

/// `rebootd --check` (SPEC §6): validates the config and reads the credentials, exits 0 or 78,
/// starts nothing, and is safe beside a running daemon.
final class ConfigCheckEndToEndTests: XCTestCase {
    func testCheckAcceptsAGoodConfigWithoutStartingAnythingEvenBesideARunningDaemon() throws {
        let h = try Harness(name: "check")
        try h.startSim(["--instances", "2", "--seed", "1"])
        try h.writeConfig()
        let alone = try h.run("rebootd", ["--config", h.configPath, "--check"])
        XCTAssertEqual(alone.status, 0, alone.out)
        XCTAssertTrue(alone.out.contains("OK") && alone.out.contains("credentials from \(h.dir.path)/credentials.yaml"), alone.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.spool.path), "--check creates no spool")
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.dir.appendingPathComponent("journal.sqlite").path), "nor a journal")
        XCTAssertFalse(alone.out.contains(Harness.secret))

        try h.startDaemon()
        let beside = try h.run("rebootd", ["--config", h.configPath, "--check"])
        XCTAssertEqual(beside.status, 0, "the daemon's locks do not stop a check: \(beside.out)")
        h.signalDaemon(SIGTERM)
        XCTAssertEqual(h.waitDaemonExit(10), 0)
    }

    func testCheckRefusesABadKeyAndBadCredentialsWith78NamingWhatToFix() throws {
        let h = try Harness(name: "checkbad")
        try h.startSim(["--instances", "2", "--seed", "1"])
        try h.writeConfig("pollInterval: soon\n")
        let badKey = try h.run("rebootd", ["--config", h.configPath, "--check"])
        XCTAssertEqual(badKey.status, 78)
        XCTAssertTrue(badKey.out.contains("pollInterval"), badKey.out)

        try h.writeConfig()
        chmod(h.dir.appendingPathComponent("credentials.yaml").path, 0o644)
        let open = try h.run("rebootd", ["--config", h.configPath, "--check"])
        XCTAssertEqual(open.status, 78)
        XCTAssertTrue(open.out.contains("chmod 600"), open.out)
        XCTAssertFalse(open.out.contains(Harness.secret))

        // systemd's LoadCredential= copy is used first, whatever the file's mode.
        let creds = h.dir.appendingPathComponent("creds")
        try FileManager.default.createDirectory(at: creds, withIntermediateDirectories: true)
        try "accessKeyId: \(Harness.accessKeyId)\nsecretAccessKey: \(Harness.secret)\n".write(
            to: creds.appendingPathComponent("bce"), atomically: true, encoding: .utf8)
        let loaded = try h.run("rebootd", ["--config", h.configPath, "--check"], environment: ["CREDENTIALS_DIRECTORY": creds.path])
        XCTAssertEqual(loaded.status, 0, loaded.out)
        XCTAssertTrue(loaded.out.contains("$CREDENTIALS_DIRECTORY/bce"), loaded.out)
    }
}
