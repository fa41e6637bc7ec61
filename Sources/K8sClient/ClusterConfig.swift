import UServiceSupport

/// Where the Kubernetes API is and who the agent is in it, as found inside a pod.
public struct ClusterConfig: Sendable, Equatable {
    /// `https://host:port`, without a trailing slash.
    public var apiServer: String
    /// The bearer token file, re-read as it rotates.
    public var tokenPath: String
    /// The certificate authorities that sign the API server's certificate.
    public var caPath: String
    public var namespace: String
    public var podName: String

    public init(apiServer: String, tokenPath: String, caPath: String, namespace: String, podName: String) {
        self.apiServer = apiServer
        self.tokenPath = tokenPath
        self.caPath = caPath
        self.namespace = namespace
        self.podName = podName
    }

    /// The pod's name: `POD_NAME` (the downward API; empty counts as unset), else `hostname`
    /// (a pod's host name is its name).
    public static func podName(environment: (String) -> String?, hostname: @autoclosure () -> String) -> String {
        environment("POD_NAME").flatMap { $0.isEmpty ? nil : $0 } ?? hostname()
    }

    /// Finds the cluster the way a pod sees it.
    ///
    /// - API server: `apiServerOverride`, else `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`
    ///   (an IPv6 host in brackets; port 443 when unset).
    /// - Token and CA: `token` and `ca.crt` in `serviceAccountDir`.
    /// - Pod: `POD_NAME`, else `hostname` (a pod's host name is its name); `POD_NAMESPACE`,
    ///   else the `namespace` file in `serviceAccountDir`.
    ///
    /// - Returns: the config, or why the agent is not (recognisably) in a cluster.
    public static func inCluster(
        apiServerOverride: String?,
        serviceAccountDir: String,
        environment: (String) -> String?,
        hostname: String
    ) -> Result<ClusterConfig, ClusterConfigUnavailable> {
        /// The variable `name`; an empty one counts as unset.
        func variable(_ name: String) -> String? {
            environment(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        let apiServer: String
        if let apiServerOverride {
            apiServer = apiServerOverride.withoutTrailingSlash()
        } else if let host = variable("KUBERNETES_SERVICE_HOST") {
            let port = variable("KUBERNETES_SERVICE_PORT") ?? "443"
            apiServer = host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)"
        } else {
            return .failure(.init("KUBERNETES_SERVICE_HOST is not set and kubernetes.apiServer is not configured"))
        }
        let directory = serviceAccountDir.withoutTrailingSlash()
        let tokenPath = directory + "/token"
        let caPath = directory + "/ca.crt"
        for path in [tokenPath, caPath] {
            do {
                _ = try FileContents.bytes(at: path, limit: 1 << 20)
            } catch {
                return .failure(.init("cannot read \(path): \(error)"))
            }
        }
        let namespace: String
        if let fromEnvironment = variable("POD_NAMESPACE") {
            namespace = fromEnvironment
        } else if let bytes = try? FileContents.bytes(at: directory + "/namespace", limit: 1024),
            case let fromFile = String(decoding: bytes, as: UTF8.self).trimmingNewlines(), !fromFile.isEmpty
        {
            namespace = fromFile
        } else {
            return .failure(
                .init("the pod's namespace is unknown: POD_NAMESPACE is not set and \(directory)/namespace is missing"))
        }
        let podName = Self.podName(environment: environment, hostname: hostname)
        return .success(
            ClusterConfig(
                apiServer: apiServer, tokenPath: tokenPath, caPath: caPath, namespace: namespace, podName: podName))
    }
}

/// Why no cluster was found.
public struct ClusterConfigUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

extension String {
    fileprivate func withoutTrailingSlash() -> String {
        self.hasSuffix("/") ? String(self.dropLast()) : self
    }

    /// Without trailing newlines and spaces, as files written by the kubelet or by `echo` end.
    func trimmingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r" || last == " " { text = text.dropLast() }
        return String(text)
    }
}
