// swift-tools-version: 6.1
import PackageDescription

/// Upcoming language features every Swift target opts into (as Hummingbird does): `any` spelled
/// out, imports internal unless marked `public`, and members visible only from modules a file
/// imports itself.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "uservice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "uservice", targets: ["uservice"]),
        // Libraries for the benchmarks package in Benchmarks/.
        .library(name: "Agent", targets: ["Agent"]),
        .library(name: "AgentConfiguration", targets: ["AgentConfiguration"]),
        .library(name: "K8sClient", targets: ["K8sClient"]),
        .library(name: "UServiceSupport", targets: ["UServiceSupport"]),
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
        .target(
            name: "HelloPluginSwift",
            dependencies: ["CUServicePlugin"],
            path: "Plugins/HelloPluginSwift",
            swiftSettings: swiftSettings
        ),
        // Small shared utilities: file reading, the host environment, JSON strings, timestamps.
        .target(
            name: "UServiceSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // A blocking HTTP client over libcurl, with cancellation (the Kubernetes client, `uservice drain`).
        .target(
            name: "CurlHTTP",
            dependencies: ["CCurl"],
            swiftSettings: swiftSettings
        ),
        // The Kubernetes API: cluster config, service-account token, typed calls, models.
        .target(
            name: "K8sClient",
            dependencies: [
                "CurlHTTP",
                "UServiceSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The agent's HTTP/1.1 server: parser, wire writer, connection handler, listener, limits.
        .target(
            name: "HTTPServer",
            dependencies: [
                "UServiceSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // YAML, the config model, its validation and JSON Schema.
        .target(
            name: "AgentConfiguration",
            dependencies: [
                "CYaml",
                "UServiceSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The runtime: services, responders, health, lifecycle, Kubernetes Events, plugins.
        .target(
            name: "Agent",
            dependencies: [
                "AgentConfiguration",
                "HTTPServer",
                "K8sClient",
                "CurlHTTP",
                "UServiceSupport",
                "CUServicePlugin",
                "CPluginHost",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Kafka output: empty unless the `Kafka` trait is on (then it links librdkafka).
        .target(
            name: "KafkaOutput",
            dependencies: [
                "Agent",
                "AgentConfiguration",
                "K8sClient",
                "UServiceSupport",
                .target(name: "CRdKafka", condition: .when(traits: ["Kafka"])),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "uservice",
            dependencies: [
                "Agent",
                "AgentConfiguration",
                "CurlHTTP",
                "K8sClient",
                "UServiceSupport",
                .target(name: "KafkaOutput", condition: .when(traits: ["Kafka"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UServiceSupportTests",
            dependencies: ["UServiceSupport", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentConfigurationTests",
            dependencies: ["AgentConfiguration", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent",
                "AgentConfiguration",
                "CurlHTTP",
                "K8sClient",
                "UServiceSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaOutputTests",
            dependencies: ["KafkaOutput", "Agent", "K8sClient", "UServiceSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CurlHTTPTests",
            // K8sClient too: the client's https-only rule is checked against a real listener.
            dependencies: ["CurlHTTP", "K8sClient", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "K8sClientTests",
            dependencies: ["K8sClient", "CurlHTTP", "UServiceSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UServiceCLITests",
            dependencies: ["uservice"],
            exclude: ["Corpus"],
            swiftSettings: swiftSettings
        ),
    ]
)
