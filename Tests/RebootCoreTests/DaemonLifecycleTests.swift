import Foundation
import Logging
@testable import RebootCore
import ServiceLifecycle
import XCTest

/// The daemon's lifecycle in process (issue 9): its services run in one `ServiceGroup`; a
/// graceful shutdown stops the spool first (`STOPPING=1`), then the scheduler, writes the
/// metrics a last time and returns, without exiting the process.
final class DaemonLifecycleTests: XCTestCase {
    func testAGracefulShutdownOfTheGroupStopsEverythingAndReturns() async throws {
        let (dir, config) = try DaemonTestConfig.make("life") { "metricsFile: \($0.path)/rebootd.prom\nshutdownGrace: 2s\n" }
        defer { try? FileManager.default.removeItem(at: dir) }
        let prom = dir.appendingPathComponent("rebootd.prom").path
        let listener = try SystemdNotifierTests.Listener(dir.appendingPathComponent("n.sock").path)
        var logger = Logger(label: "life")
        logger.logLevel = .critical
        let daemon = try RebootDaemon(configPath: config, environment: ["NOTIFY_SOCKET": dir.appendingPathComponent("n.sock").path], logger: logger)
        try daemon.start()
        XCTAssertEqual(listener.receive(), "READY=1")
        let group = ServiceGroup(configuration: .init(services: daemon.services().map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertTrue(FileManager.default.fileExists(atPath: prom), "the metrics file is written at start")
        try FileManager.default.removeItem(atPath: prom)   // the next periodic write is 10 s away

        let started = Date()
        await group.triggerGracefulShutdown()
        try await running.value
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "no call in flight: no need to wait out the grace")
        var messages: [String] = []
        while let m = listener.receive() { messages.append(m) }
        XCTAssertTrue(messages.contains("STOPPING=1"), "\(messages)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: prom), "the metrics file is written at exit")
        // The spool is stopped: a plan dropped now stays where it is.
        let plan = dir.appendingPathComponent("spool/incoming/late.yaml").path
        try "instances: [i-00000001]\nbatchSize: 1\n".write(toFile: plan, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(700))
        XCTAssertTrue(FileManager.default.fileExists(atPath: plan), "not taken in after shutdown")
        XCTAssertEqual(try daemon.journal.plans().count, 0)
    }
}
