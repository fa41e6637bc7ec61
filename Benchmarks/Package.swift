// swift-tools-version: 6.1
// package-benchmark suites, kept out of the main package so its builds and tests do not
// resolve or build the benchmark tooling. Run them with scripts/bench-suites.
import PackageDescription

import struct Foundation.URL

/// The main package's identity is the name of its folder, whatever the clone is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent

let package = Package(
    name: "uservice-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "PluginCalls",
            dependencies: [
                .product(name: "Agent", package: mainPackage),
                .product(name: "AgentConfiguration", package: mainPackage),
                .product(name: "UServiceSupport", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "PluginCalls",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Agent", package: mainPackage),
                .product(name: "AgentConfiguration", package: mainPackage),
                .product(name: "K8sClient", package: mainPackage),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
