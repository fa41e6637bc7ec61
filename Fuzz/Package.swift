// swift-tools-version: 6.1
import PackageDescription

// A coverage-guided libFuzzer target for the agent's HTTP/1.1 request parser; run it with
// scripts/fuzz-parser, which builds it with `--sanitize=fuzzer --sanitize=address`. Its sources
// are links to the parser's own files in Sources/HTTPServer, next to the entry point, and the
// one helper they use from Sources/UServiceSupport, in a target of that name.
let package = Package(
    name: "ParserFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0")
    ],
    targets: [
        .target(name: "UServiceSupport"),
        .executableTarget(
            name: "ParserFuzzer",
            dependencies: [
                "UServiceSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
