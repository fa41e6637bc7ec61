internal import AgentConfiguration
import CurlHTTP
internal import K8sClient
internal import Logging
internal import UServiceSupport

/// The Kubernetes side of a running agent: the API client on its own thread, the `kubernetes`
/// health check, and (with `kubernetes.events`) the Event queue and its reporter.
struct KubernetesIntegration: Sendable {
    let calls: KubernetesCalls
    /// Where the agent records lifecycle Events; nil when `kubernetes.events` is false.
    let events: EventQueue?
    let reporter: EventReporter?

    /// Connects the agent to the cluster it runs in, as `config.enabled` asks.
    ///
    /// - Returns: nil when Kubernetes features are off: `enabled: false`, or `auto` outside a
    ///   cluster (said in one info line).
    /// - Throws: ``AgentStartupError/kubernetes(_:)`` when `enabled: true` finds no cluster.
    static func start(
        _ config: KubernetesConfig,
        registry: HealthRegistry,
        logger: Logger
    ) throws(AgentStartupError) -> KubernetesIntegration? {
        guard config.enabled != .off else { return nil }
        let cluster: ClusterConfig
        switch ClusterConfig.inCluster(
            apiServerOverride: config.apiServer, serviceAccountDir: config.serviceAccountDir,
            environment: HostEnvironment.variable, hostname: HostEnvironment.hostname())
        {
        case .success(let found):
            cluster = found
        case .failure(let unavailable) where config.enabled == .auto:
            logger.info(
                "not in a Kubernetes cluster: Kubernetes features are off", metadata: ["reason": "\(unavailable)"])
            return nil
        case .failure(let unavailable):
            throw .kubernetes("kubernetes.enabled is true, but \(unavailable)")
        }
        let client: KubernetesClient
        do {
            client = try KubernetesClient(
                cluster: cluster, timeout: config.timeout.duration, logger: Logger(label: "kubernetes"))
        } catch {
            throw .kubernetes("\(error)")
        }
        let calls = KubernetesCalls(client: client)
        Self.registerCheck(
            calls: calls, countsInReadiness: config.readiness, registry: registry, timeout: config.timeout)
        logger.info(
            "kubernetes: on",
            metadata: [
                "apiServer": "\(cluster.apiServer)", "namespace": "\(cluster.namespace)", "pod": "\(cluster.podName)",
                "events": .stringConvertible(config.events), "libcurl": "\(Libcurl.version)",
                "http2": .stringConvertible(Libcurl.supportsHTTP2),
            ])
        guard config.events else { return KubernetesIntegration(calls: calls, events: nil, reporter: nil) }
        let queue = EventQueue()
        let reporter = EventReporter(
            calls: calls, queue: queue, flushTimeout: config.flushTimeout.duration, logger: logger)
        return KubernetesIntegration(calls: calls, events: queue, reporter: reporter)
    }

    /// `kubernetes`: passes while `GET /version` answers. Always at `/readyz/kubernetes`;
    /// part of `/readyz` only with `kubernetes.readiness: true`; never part of liveness.
    private static func registerCheck(
        calls: KubernetesCalls,
        countsInReadiness: Bool,
        registry: HealthRegistry,
        timeout: ConfigDuration
    ) {
        registry.registerPolled(
            "kubernetes", probes: countsInReadiness ? [.readiness] : [],
            namedOnly: countsInReadiness ? [] : [.readiness], interval: .seconds(10), timeout: timeout.duration
        ) {
            do {
                let version = try await calls.run { client, cancellation throws(KubernetesError) in
                    try client.serverVersion(cancellation: cancellation)
                }
                return .pass("API server \(version)")
            } catch {
                return .fail("\(error)")
            }
        }
    }
}
