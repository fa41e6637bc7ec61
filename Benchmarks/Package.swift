// swift-tools-version: 6.1
// package-benchmark suites, kept out of the main package so its builds and tests do not
// resolve or build the benchmark tooling. Run them with scripts/bench-plugins.
import PackageDescription

import struct Foundation.URL

/// The main package's identity is the name of its folder, whatever the clone is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "uservice-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PluginCalls",
            dependencies: [
                .product(name: "Agent", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "PluginCalls",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
