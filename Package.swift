// swift-tools-version:6.2
import PackageDescription

// Our own targets build without warnings: in the debug build (`make test`, CI) a warning is
// an error, so a new one fails CI. Release builds keep warnings as warnings.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error, .when(configuration: .debug))]

let package = Package(
    name: "rebootd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rebootd", targets: ["rebootd"]),
        .executable(name: "rebootctl", targets: ["rebootctl"]),
        .executable(name: "bcc-sim", targets: ["bcc-sim"]),
        .library(name: "BCC", targets: ["BCC"]),
        .library(name: "BCCSimulator", targets: ["BCCSimulator"]),
        .library(name: "RebootCore", targets: ["RebootCore"]),
        .library(name: "RebootTesting", targets: ["RebootTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        // The PostgreSQL journal (SPEC §5, issue 27).
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    ],
    targets: [
        .target(
            name: "BCC",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "BCCSimulator",
            dependencies: [
                "BCC",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RebootCore",
            dependencies: [
                "BCC",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .executableTarget(
            name: "rebootd",
            dependencies: [
                "RebootCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "rebootctl",
            dependencies: [
                "RebootCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "bcc-sim",
            dependencies: [
                "BCCSimulator",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What tests of the scheduler need, shipped beside it (as HummingbirdTesting is): virtual
        // time and a scripted cloud.
        .target(name: "RebootTesting", dependencies: ["RebootCore", "BCC"]),
        // The libFuzzer target over plan loading: `make fuzz` builds it with -sanitize=fuzzer;
        // the ordinary build makes it a replayer of saved inputs.
        .executableTarget(name: "PlanFuzzer", dependencies: ["RebootCore"], path: "Fuzz/PlanFuzzer"),
        // `make bench`'s tick case: the status/metrics tick against a journal full of history.
        .executableTarget(
            name: "TickBench", dependencies: ["RebootCore"],
            path: "Benchmarks/TickBench"),
        .testTarget(
            name: "BCCTests",
            dependencies: ["BCC", "BCCSimulator", "RebootTesting"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "BCCSimulatorTests", dependencies: ["BCCSimulator", "BCC"]),
        .testTarget(
            name: "RebootCoreTests",
            dependencies: [
                "RebootCore", "RebootTesting", "BCC", "PlanFuzzer", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], exclude: ["Fixtures"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "BCCSimulator",
                // The high-availability tests read the shared journal's lease, on a test PostgreSQL.
                "RebootCore", "RebootTesting",
                // The gate and notify tests' own loopback server (metrics page, webhook receivers).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ], exclude: ["Support"]),
    ]
)

for target in package.targets { target.swiftSettings = (target.swiftSettings ?? []) + strict }
