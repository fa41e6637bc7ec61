// swift-tools-version: 6.1
import PackageDescription

// A coverage-guided libFuzzer target for the agent's HTTP/1.1 request parser; run it with
// scripts/fuzz-parser, which builds it with `--sanitize=fuzzer --sanitize=address`. Its sources
// are links to the parser's own files in Sources/Agent, next to the entry point.
let package = Package(
    name: "ParserFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0")
    ],
    targets: [
        .executableTarget(
            name: "ParserFuzzer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        )
    ]
)
