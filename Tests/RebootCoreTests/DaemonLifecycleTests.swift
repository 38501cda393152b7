import Foundation
import Logging
import ServiceLifecycle
import XCTest

@testable import RebootCore

/// The daemon's lifecycle in process (issue 9): its services run in one `ServiceGroup`; a
/// graceful shutdown stops the spool first (`STOPPING=1`), then the scheduler, writes the
/// metrics a last time and returns, without exiting the process.
final class DaemonLifecycleTests: XCTestCase {
    func testAGracefulShutdownOfTheGroupStopsEverythingAndReturns() async throws {
        let (dir, config) = try DaemonTestConfig.make("life") { "metricsFile: \($0.path)/rebootd.prom\nshutdownGrace: 2s\n" }
        defer { try? FileManager.default.removeItem(at: dir) }
        let prom = dir.appendingPathComponent("rebootd.prom").path
        let (daemon, listener, logger) = try DaemonTestConfig.notifyingDaemon(dir: dir, config: config, label: "life")
        try daemon.start()
        XCTAssertEqual(listener.receive(), "READY=1")
        let group = ServiceGroup(configuration: .init(services: daemon.services().map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertTrue(FileManager.default.fileExists(atPath: prom), "the metrics file is written at start")
        try FileManager.default.removeItem(atPath: prom)  // the next periodic write is 10 s away

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

    /// After a graceful shutdown nothing pings, says `STATUS=` or writes the metrics file, even
    /// when the scheduler pumps again (as a late answer makes it): the exit's write is the last
    /// (review finding: the pumps' status duties outlived the cancelled timer).
    func testNoStatusDutyAfterShutdownEvenWhenTheSchedulerPumps() async throws {
        let (dir, config) = try DaemonTestConfig.make("after") { "metricsFile: \($0.path)/rebootd.prom\nshutdownGrace: 1s\n" }
        defer { try? FileManager.default.removeItem(at: dir) }
        let prom = dir.appendingPathComponent("rebootd.prom").path
        let (daemon, listener, logger) = try DaemonTestConfig.notifyingDaemon(
            dir: dir, config: config, environment: ["WATCHDOG_USEC": "200000"], label: "after")
        try daemon.start()
        let group = ServiceGroup(configuration: .init(services: daemon.services().map { .init(service: $0) }, logger: logger))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(400))
        await group.triggerGracefulShutdown()
        try await running.value
        var before: [String] = []
        while let m = listener.receive() { before.append(m) }
        XCTAssertTrue(before.contains("WATCHDOG=1"), "pinged while running: \(before)")
        XCTAssertTrue(before.contains("STOPPING=1"))
        try FileManager.default.removeItem(atPath: prom)
        try await Task.sleep(for: .milliseconds(1200))  // past the status spacing and several pings
        daemon.scheduler.queue.sync { daemon.scheduler.pump() }
        try await Task.sleep(for: .milliseconds(300))
        var after: [String] = []
        while let m = listener.receive() { after.append(m) }
        XCTAssertEqual(after, [], "nothing after the shutdown")
        XCTAssertFalse(FileManager.default.fileExists(atPath: prom), "no metrics write after the exit's")
    }
}
