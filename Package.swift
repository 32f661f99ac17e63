// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: C system libraries (and the CByteScan kernel) → StackSift (engine) → stacksift (CLI).
let package = Package(
    name: "stacksift",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "stacksift", targets: ["stacksift"]),
        .library(name: "StackSift", targets: ["StackSift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        // the framer's SIMD line scan (static inline: inlined into the Swift caller)
        .target(name: "CByteScan"),
        .target(
            name: "StackSift",
            dependencies: [
                "CPCRE2", "CLZ4", "CZlib", "CZstd", "CXXHash", "CByteScan",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "stacksift",
            dependencies: [
                "StackSift",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Snapshots/ holds golden reports the tests read by path, not resources.
        .testTarget(name: "StackSiftTests", dependencies: ["StackSift"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
