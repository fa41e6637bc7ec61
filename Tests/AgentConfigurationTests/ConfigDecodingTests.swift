import AgentConfiguration
import Logging
import Testing

@Suite("config decoding, defaults and output")
struct ConfigDecodingTests {
    @Test func everySettingIsRead() throws {
        let decoded = try config(
            """
            service: {name: edge}
            health: {address: 127.0.0.1, port: 9100, maxConnections: 64}
            server: {address: "::", port: 9200, maxConnections: 2048, maxPluginCalls: 3, pluginTimeout: 2s}
            lifecycle: {drainDelay: 250ms, shutdownTimeout: 1m30s}
            kubernetes:
              enabled: false
              apiServer: https://10.0.0.1:6443
              serviceAccountDir: /sa
              events: false
            logging: {level: debug, format: text}
            plugins: [/p/a.so]
            """)
        let expected = AgentConfig(
            service: ServiceConfig(name: "edge"),
            health: HealthConfig(
                listener: ListenerConfig(address: "127.0.0.1", port: 9100, maxBodyBytes: 4096, maxConnections: 64)),
            server: DataServerConfig(
                listener: ListenerConfig(address: "::", port: 9200, maxConnections: 2048), maxPluginCalls: 3,
                pluginTimeout: .seconds(2)),
            lifecycle: LifecycleConfig(drainDelay: ConfigDuration(milliseconds: 250), shutdownTimeout: .seconds(90)),
            kubernetes: KubernetesConfig(
                enabled: .off, apiServer: "https://10.0.0.1:6443", serviceAccountDir: "/sa", events: false),
            logging: LoggingConfig(level: .debug, format: .text),
            plugins: ["/p/a.so"]
        )
        #expect(decoded == expected)
    }

    @Test func emptyMappingAndNullSectionsMeanDefaults() throws {
        #expect(try config("{}") == AgentConfig())
        #expect(try config("health:\nplugins: ~\n") == AgentConfig())
        #expect(ConfigLoader.defaults(features: .init(canLoadPlugins: true, kafka: false)).config == AgentConfig())
    }

    @Test func defaultsFitTheKubernetesGracePeriod() {
        let lifecycle = AgentConfig().lifecycle
        #expect(lifecycle.drainDelay.milliseconds + lifecycle.shutdownTimeout.milliseconds <= 30_000)
    }

    @Test func effectiveOutputRoundTripsThroughYAMLAndJSON() throws {
        let source =
            "server: {port: 8081, address: \"::\"}\nlifecycle: {drainDelay: 90s}\nplugins: [\"a: b.so\", '#x']\n"
        let loaded = try ConfigLoader.decode(
            Array(source.utf8), file: "a.yaml", features: .init(canLoadPlugins: true, kafka: false))
        for rendered in [loaded.effective.renderYAML(), loaded.effective.renderJSON()] {
            let again = try ConfigLoader.decode(
                Array(rendered.utf8), file: "b.yaml", features: .init(canLoadPlugins: true, kafka: false))
            #expect(again.config == loaded.config && again.effective == loaded.effective, "\(rendered)")
            #expect(again.source == Array(rendered.utf8))
        }
        #expect(loaded.effective["lifecycle"]?["drainDelay"] == .string("1m30s"))
    }

    @Test func schemaDescribesEveryEffectiveSetting() {
        guard
            case .object(let sections) = ConfigLoader.defaults(features: .init(canLoadPlugins: true, kafka: false))
                .effective
        else {
            Issue.record("effective config is not an object")
            return
        }
        let properties = ConfigLoader.jsonSchema(features: .init(canLoadPlugins: true, kafka: false))["properties"]
        for section in sections {
            let described = properties?[section.key]
            #expect(described != nil, "\(section.key) missing from schema")
            if case .object(let settings) = section.value {
                for setting in settings {
                    #expect(
                        described?["properties"]?[setting.key]?["default"] == setting.value,
                        "\(section.key).\(setting.key)")
                }
            }
        }
    }
}
