// swift-tools-version: 6.1
import PackageDescription

// A coverage-guided libFuzzer target for the agent's HTTP/1.1 request parser; run it with
// scripts/fuzz-parser, which builds it with `--sanitize=fuzzer --sanitize=address`. Its sources
// are links to the parser's own files in Sources/HTTPServer, next to the entry point, and the
// one helper they use from Sources/UServiceSupport, in a target of that name.
/// The main package's upcoming features: the parser's files are shared, and their imports
/// (`internal import`, `package import`) mean what they mean there only with them.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ParserFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0")
    ],
    targets: [
        .target(name: "UServiceSupport", swiftSettings: swiftSettings),
        .executableTarget(
            name: "ParserFuzzer",
            dependencies: [
                "UServiceSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
