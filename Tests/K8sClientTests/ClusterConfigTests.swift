import Foundation
import Testing

@testable import K8sClient

@Suite("in-cluster config")
struct ClusterConfigTests {
    /// A service-account folder with a token and a CA (contents do not matter here).
    static func serviceAccountDir(namespaceFile: String? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "token".write(to: folder.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "ca".write(to: folder.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        if let namespaceFile {
            try namespaceFile.write(to: folder.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func resolve(
        _ environment: [String: String],
        override: String? = nil,
        directory: URL
    ) -> Result<ClusterConfig, ClusterConfigUnavailable> {
        ClusterConfig.inCluster(
            apiServerOverride: override, serviceAccountDir: directory.path, environment: { environment[$0] },
            hostname: "host-pod")
    }

    @Test func serviceVariablesNameTheServerAndIPv6GetsBrackets() throws {
        let folder = try Self.serviceAccountDir(namespaceFile: "demo\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let v4 = try Self.resolve(
            ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: folder
        ).get()
        #expect(v4.apiServer == "https://10.96.0.1:443")
        #expect(v4.tokenPath == folder.path + "/token")
        #expect(v4.caPath == folder.path + "/ca.crt")
        let v6 = try Self.resolve(
            ["KUBERNETES_SERVICE_HOST": "fd00:10:96::1", "KUBERNETES_SERVICE_PORT": "6443"], directory: folder
        ).get()
        #expect(v6.apiServer == "https://[fd00:10:96::1]:6443")
        let noPort = try Self.resolve(["KUBERNETES_SERVICE_HOST": "10.96.0.1"], directory: folder).get()
        #expect(noPort.apiServer == "https://10.96.0.1:443")
    }

    @Test func theOverrideWinsWithoutItsTrailingSlash() throws {
        let folder = try Self.serviceAccountDir(namespaceFile: "demo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.resolve(
            ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], override: "https://api.example:6443/", directory: folder
        ).get()
        #expect(config.apiServer == "https://api.example:6443")
    }

    @Test func podIdentityComesFromTheDownwardAPIThenFallsBack() throws {
        let folder = try Self.serviceAccountDir(namespaceFile: "from-file\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let host = ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]
        let fallback = try Self.resolve(host, directory: folder).get()
        #expect(fallback.namespace == "from-file")
        #expect(fallback.podName == "host-pod")
        let downward = try Self.resolve(
            host.merging(["POD_NAME": "web-1", "POD_NAMESPACE": "from-env"]) { $1 }, directory: folder
        ).get()
        #expect(downward.namespace == "from-env")
        #expect(downward.podName == "web-1")
    }

    @Test func missingPiecesSayWhatIsMissing() throws {
        let folder = try Self.serviceAccountDir()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(
            Self.resolve([:], directory: folder).failure?.description
                == "KUBERNETES_SERVICE_HOST is not set and kubernetes.apiServer is not configured")
        let host = ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]
        #expect(Self.resolve(host, directory: folder).failure?.description.contains("namespace is unknown") == true)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("token"))
        #expect(
            Self.resolve(host, directory: folder).failure?.description
                == "cannot read \(folder.path)/token: No such file or directory")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
