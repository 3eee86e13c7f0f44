// swift-tools-version:6.0
import PackageDescription

/// `make fuzz` builds the libFuzzer harness (`vigil-fuzz`) with VIGIL_FUZZ=1 in a build folder
/// of its own: Vigil's own modules get coverage and address-sanitizer instrumentation, the
/// dependencies are built as usual.
let fuzzing = Context.environment["VIGIL_FUZZ"] == "1"
let instrumented: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"])] : []

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilHash", targets: ["VigilHash"]),
        .library(name: "VigilMedia", targets: ["VigilMedia"]),
        .library(name: "VigilMatch", targets: ["VigilMatch"]),
        .library(name: "VigilDetect", targets: ["VigilDetect"]),
        .library(name: "VigilAlerts", targets: ["VigilAlerts"]),
        .library(name: "VigilDaemon", targets: ["VigilDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .target(name: "VigilHash"),
        .target(
            name: "VigilMedia",
            dependencies: ["CFFmpeg"]
        ),
        .target(name: "VigilMatch", dependencies: ["VigilHash"]),
        .target(
            name: "VigilDetect",
            dependencies: [
                "VigilHash", "VigilMatch", "VigilMedia", .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "VigilAlerts",
            dependencies: [
                "VigilHash",
                "VigilMatch",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "VigilDaemon",
            dependencies: [
                "VigilHash",
                "VigilMatch",
                "VigilMedia",
                "VigilDetect",
                "VigilAlerts",
                "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // Compiled into the binary, so `GET /openapi.json` reads nothing at run time; both are
            // symlinks to the published files in docs/.
            resources: [.embedInCode("API/Resources/openapi.yaml"), .embedInCode("API/Resources/alert.schema.json")]
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilHash",
                "VigilMedia",
                "VigilMatch",
                "VigilDetect",
                "VigilDaemon",
                "VigilAlerts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "vigil-bench",
            dependencies: ["VigilHash", "VigilMatch", "VigilMedia", "VigilDetect"],
            path: "Benchmarks/vigil-bench"
        ),
        .executableTarget(
            name: "vigil-fleet-bench",
            dependencies: [
                "VigilDaemon", "VigilTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/fleet-bench",
            exclude: ["README.md"]
        ),
        .target(
            name: "VigilTestSupport",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Tests/VigilTestSupport"
        ),
        .testTarget(name: "VigilHashTests", dependencies: ["VigilHash", "VigilTestSupport"]),
        .testTarget(name: "VigilMediaTests", dependencies: ["VigilMedia", "VigilTestSupport"]),
        .testTarget(name: "VigilMatchTests", dependencies: ["VigilMatch", "VigilTestSupport"]),
        .testTarget(name: "VigilDetectTests", dependencies: ["VigilDetect", "VigilMatch", "VigilHash", "VigilMedia", "VigilTestSupport"]),
        .testTarget(
            name: "VigilAlertsTests",
            dependencies: [
                "VigilAlerts", "VigilHash", "VigilMatch", "VigilTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "VigilDaemonTests",
            dependencies: [
                "VigilDaemon", "VigilAlerts", "VigilDetect", "VigilHash", "VigilMatch", "VigilMedia", "VigilTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "vigilTests", dependencies: ["vigil", "VigilHash", "VigilTestSupport"]),
        .target(name: "VigilFuzzing", dependencies: ["VigilAlerts", "VigilDaemon", "VigilHash", "VigilMatch"]),
        .testTarget(name: "VigilFuzzingTests", dependencies: ["VigilFuzzing", "VigilTestSupport"]),
    ]
)

if fuzzing {
    for target in package.targets where target.type == .regular && target.name.hasPrefix("Vigil") && target.name != "VigilTestSupport" {
        target.swiftSettings = (target.swiftSettings ?? []) + instrumented
    }
    // SwiftPM links an executable's `main` to `vigil_fuzz_main`, which hands over to libFuzzer.
    package.targets.append(.executableTarget(
        name: "vigil-fuzz", dependencies: ["VigilFuzzing"],
        swiftSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"])],
        linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]))
}
