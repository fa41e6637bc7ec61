internal import K8sClient
internal import UServiceSupport

extension HostEnvironment {
    /// The pod's name, by the rule the Kubernetes client uses: `POD_NAME`, else the host name.
    package static func podName() -> String {
        ClusterConfig.podName(environment: self.variable, hostname: self.hostname())
    }
}
