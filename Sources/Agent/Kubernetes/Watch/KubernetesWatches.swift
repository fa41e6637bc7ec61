internal import AgentConfiguration
internal import K8sClient
internal import Logging
internal import ServiceLifecycle

/// The agent's watches of the API, each on a Kubernetes thread and connection of its own so a
/// stream held open for minutes never delays Events or the `kubernetes` check: its ConfigMap
/// (`kubernetes.configMap`, the live config) and its own Pod (`kubernetes.watchPod`, the
/// `uservice.dev/` annotations). They run until graceful shutdown, and stop at once then.
struct KubernetesWatches: Service {
    let configMap: ObjectWatch<ConfigMap>?
    let pod: ObjectWatch<Pod>?

    /// True when the config comes from a watched ConfigMap (the config file is then not watched).
    var followsConfigMap: Bool { self.configMap != nil }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            if let configMap = self.configMap { group.addTask { await configMap.run() } }
            if let pod = self.pod { group.addTask { await pod.run() } }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        async let configMapStopped: Void? = self.configMap?.calls.shutdown()
        async let podStopped: Void? = self.pod?.calls.shutdown()
        _ = await (configMapStopped, podStopped)
    }
}

extension KubernetesIntegration {
    /// The watches `config` asks for, with their checks registered: `kubernetes-watch` (at
    /// `/readyz/kubernetes-watch`, part of `/readyz` only with `kubernetes.readiness`) and, with
    /// the Pod watch, `rotation` (part of `/readyz`). Nil when there is nothing to watch. A watch
    /// whose client cannot be made is left out, said in an error line; the agent runs on.
    func watches(
        _ config: KubernetesConfig,
        reloader: ConfigReloader,
        logControl: LogControl,
        events: LifecycleEventPublisher,
        registry: HealthRegistry,
        logger: Logger
    ) -> KubernetesWatches? {
        let cluster = self.calls.client.cluster
        var statuses: [WatchStatus] = []
        var configMapWatch: ObjectWatch<ConfigMap>?
        if let source = config.configMap, let calls = Self.watchCalls(cluster, config, logger) {
            let follower = ConfigMapFollower(source: source, reloader: reloader, logger: logger)
            let status = WatchStatus(object: "configmap/\(source.name)")
            statuses.append(status)
            configMapWatch = ObjectWatch(
                name: source.name, calls: calls, status: status, logger: logger, onChange: follower.follow)
        }
        var podWatch: ObjectWatch<Pod>?
        if config.watchPod, let calls = Self.watchCalls(cluster, config, logger) {
            let follower = PodAnnotationFollower(logControl: logControl, events: events, logger: logger)
            let status = WatchStatus(object: "pod/\(cluster.podName)")
            statuses.append(status)
            podWatch = ObjectWatch(
                name: cluster.podName, calls: calls, status: status, logger: logger, onChange: follower.follow)
            registry.register("rotation", probes: [.readiness]) { follower.rotation }
        }
        guard !statuses.isEmpty else { return nil }
        registry.register(
            "kubernetes-watch", probes: config.readiness ? [.readiness] : [],
            namedOnly: config.readiness ? [] : [.readiness]
        ) { [statuses] in
            WatchStatus.check(statuses)
        }
        logger.info(
            "kubernetes: watching",
            metadata: ["objects": "\(statuses.map(\.object).joined(separator: ", "))"])
        return KubernetesWatches(configMap: configMapWatch, pod: podWatch)
    }

    /// A client on a thread and connection of its own, for one watch; nil when libcurl cannot
    /// make one.
    private static func watchCalls(
        _ cluster: ClusterConfig,
        _ config: KubernetesConfig,
        _ logger: Logger
    ) -> KubernetesCalls? {
        do {
            return KubernetesCalls(
                client: try KubernetesClient(
                    cluster: cluster, timeout: config.timeout.duration, logger: Logger(label: "kubernetes")))
        } catch {
            logger.error("kubernetes: cannot watch", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
