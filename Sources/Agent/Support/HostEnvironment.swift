#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import K8sClient

/// What the agent reads from the process environment and the host.
enum HostEnvironment {
    /// An environment variable, nil when unset.
    static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The host name; in a pod, the pod's name.
    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(nulTerminated: buffer)
    }

    /// The pod's name, by the rule the Kubernetes client uses: `POD_NAME`, else the host name.
    static func podName() -> String {
        ClusterConfig.podName(environment: self.variable, hostname: self.hostname())
    }
}
