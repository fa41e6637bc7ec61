// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "uservice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "uservice", targets: ["uservice"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
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
        .target(
            name: "K8sClient",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "CYaml",
                "K8sClient",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "uservice",
            dependencies: [
                "Agent",
                "K8sClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: ["Agent"]
        ),
        .testTarget(
            name: "UServiceCLITests",
            dependencies: ["uservice"],
            exclude: ["Corpus"]
        ),
    ]
)
