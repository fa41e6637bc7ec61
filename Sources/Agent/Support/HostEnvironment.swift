#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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

    /// The pod's name: `POD_NAME` (the downward API), else the host name.
    static func podName() -> String {
        self.variable("POD_NAME").flatMap { $0.isEmpty ? nil : $0 } ?? self.hostname()
    }
}
