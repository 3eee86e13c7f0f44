// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilHash", targets: ["VigilHash"]),
        .library(name: "VigilMedia", targets: ["VigilMedia"]),
        .library(name: "VigilMatch", targets: ["VigilMatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        .target(
            name: "VigilHash",
            // Hashing is arithmetic on SIMD vectors, which is orders of magnitude slower unoptimised;
            // optimise it in debug builds too so tests exercise it at realistic speed.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(
            name: "VigilMedia",
            dependencies: ["CFFmpeg"]
        ),
        .target(name: "VigilMatch", dependencies: ["VigilHash"]),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilHash",
                "VigilMedia",
                "VigilMatch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "vigil-bench",
            dependencies: ["VigilHash", "VigilMatch"],
            path: "Benchmarks/vigil-bench"
        ),
        .target(name: "VigilTestSupport", path: "Tests/VigilTestSupport"),
        .testTarget(name: "VigilHashTests", dependencies: ["VigilHash", "VigilTestSupport"]),
        .testTarget(name: "VigilMediaTests", dependencies: ["VigilMedia", "VigilTestSupport"]),
        .testTarget(name: "VigilMatchTests", dependencies: ["VigilMatch", "VigilTestSupport"]),
        .testTarget(name: "vigilTests", dependencies: ["vigil", "VigilHash", "VigilTestSupport"]),
    ]
)
