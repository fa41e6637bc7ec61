// swift-tools-version: 6.1
// The SwiftNIO floor for scripts/bench: a server that answers every read with one fixed probe
// answer and closes. Its own package, so the agent's package does not depend on it (CI builds it apart).
import PackageDescription

let package = Package(
    name: "nio-floor",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0")
    ],
    targets: [
        .executableTarget(
            name: "NIOFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        )
    ]
)
