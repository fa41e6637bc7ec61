/// The whole agent configuration, as read from YAML by ``ConfigLoader``.
///
/// `AgentConfig()` is the embedded default the agent runs on without a config file.
public struct AgentConfig: Sendable, Equatable {
    public var service: ServiceConfig
    /// The probe and metrics listener. Default `0.0.0.0:7979`.
    public var health: HealthConfig
    /// The data-plane listener. Default `0.0.0.0:8080`.
    public var server: DataServerConfig
    public var lifecycle: LifecycleConfig
    public var kubernetes: KubernetesConfig
    public var logging: LoggingConfig
    /// Paths of plugin shared libraries to load at start. Default none.
    public var plugins: [String]
    /// Where records are published; nil (the default) publishes nothing. Only a build with
    /// the `Kafka` package trait accepts the section (``ConfigFeatures/kafka``).
    public var kafka: KafkaConfig?

    public init(
        service: ServiceConfig = ServiceConfig(),
        health: HealthConfig = HealthConfig(),
        server: DataServerConfig = DataServerConfig(),
        lifecycle: LifecycleConfig = LifecycleConfig(),
        kubernetes: KubernetesConfig = KubernetesConfig(),
        logging: LoggingConfig = LoggingConfig(),
        plugins: [String] = []
    ) {
        self.kafka = nil
        self.service = service
        self.health = health
        self.server = server
        self.lifecycle = lifecycle
        self.kubernetes = kubernetes
        self.logging = logging
        self.plugins = plugins
    }

    /// Reads every section; the reader reports problems, so this always returns a value.
    /// `features` says what the build and process support, so what the file may ask for.
    init(reading reader: inout ConfigReader, features: ConfigFeatures) {
        let defaults = AgentConfig()
        self.service = reader.section("service", "Identity of this agent.") {
            ServiceConfig(reading: &$0, defaults: defaults.service)
        }
        self.health = reader.section("health", "Probe and metrics listener.") {
            HealthConfig(reading: &$0, defaults: defaults.health)
        }
        self.server = reader.section("server", "Data-plane listener.") {
            DataServerConfig(reading: &$0, defaults: defaults.server)
        }
        self.lifecycle = reader.section("lifecycle", "Drain timing.") {
            LifecycleConfig(reading: &$0, defaults: defaults.lifecycle)
        }
        self.kubernetes = reader.section("kubernetes", "Kubernetes API access and Events.") {
            KubernetesConfig(reading: &$0, defaults: defaults.kubernetes)
        }
        self.logging = reader.section("logging", "Log level and format.") {
            LoggingConfig(reading: &$0, defaults: defaults.logging)
        }
        self.plugins = reader.read(
            "plugins", .list(of: .nonEmpty), default: defaults.plugins, "Plugin shared libraries to load.")
        if !self.plugins.isEmpty && !features.canLoadPlugins {
            reader.report(.pluginsNeedDynamicLoading, atFirstOf: ["plugins"])
        }
        if features.kafka {
            self.kafka = reader.optionalSection("kafka", "Kafka output (a build with the Kafka trait).") {
                KafkaConfig(reading: &$0)
            }
        } else {
            self.kafka = nil
            reader.rejectUnsupported("kafka", feature: "Kafka")
        }
        reader.reportUnknownKeys()

        if self.server.listener.conflicts(with: self.health.listener) {
            reader.report(
                .portConflict(self.server.listener.port, otherSetting: "health.port"),
                atFirstOf: ["server.port", "health.port", "server.address"])
        }
    }
}
