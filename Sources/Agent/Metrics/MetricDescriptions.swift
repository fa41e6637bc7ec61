internal import HTTPServer
internal import K8sClient

extension AgentRuntime {
    /// Help text of every metric the runtime and the libraries it runs record, by name: what
    /// the executable gives its metrics backend (swift-metrics has no place for it).
    package static var metricDescriptions: [String: String] {
        [
            HTTPMetrics.metricDescriptions, KubernetesClient.metricDescriptions, LifecycleController.metricDescriptions,
            EventQueue.metricDescriptions, PluginCallRunner.metricDescriptions, WatchMetrics.descriptions,
        ].reduce(into: [:]) { all, part in all.merge(part) { first, _ in first } }
    }
}
