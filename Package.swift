// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "uservice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "uservice", targets: ["uservice"]),
        // The runtime and the Kubernetes client as libraries, for the benchmarks package in Benchmarks/.
        .library(name: "Agent", targets: ["Agent"]),
        .library(name: "K8sClient", targets: ["K8sClient"]),
        .library(name: "EchoPluginC", type: .dynamic, targets: ["EchoPluginC"]),
        .library(name: "HelloPluginSwift", type: .dynamic, targets: ["HelloPluginSwift"]),
    ],
    traits: [
        .trait(
            name: "Kafka",
            description: "Publish lifecycle events, access-log records and plugin outputs to Kafka (links librdkafka)."
        )
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CYaml",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "CUServicePlugin"),
        .target(name: "CPluginHost", dependencies: ["CUServicePlugin"]),
        .target(name: "EchoPluginC", dependencies: ["CUServicePlugin"], path: "Plugins/EchoPluginC"),
        .target(name: "HelloPluginSwift", dependencies: ["CUServicePlugin"], path: "Plugins/HelloPluginSwift"),
        .target(
            name: "K8sClient",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "CYaml",
                "CUServicePlugin",
                "CPluginHost",
                "K8sClient",
                .target(name: "CRdKafka", condition: .when(traits: ["Kafka"])),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "uservice",
            dependencies: [
                "Agent",
                "K8sClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "K8sClientTests",
            dependencies: ["K8sClient"]
        ),
        .testTarget(
            name: "UServiceCLITests",
            dependencies: ["uservice"],
            exclude: ["Corpus"]
        ),
    ]
)
