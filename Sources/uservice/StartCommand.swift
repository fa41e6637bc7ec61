import Agent
import AgentConfiguration
internal import ArgumentParser
import Logging
import Metrics
import Prometheus

/// `uservice start`: run the agent.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the agent (on the built-in defaults when no config is given).",
        discussion: """
            Exits 0 after a graceful drain (SIGTERM, SIGINT, the preStop hook), and 1 when it \
            cannot start or when the shutdown timeout had to cut requests in flight.
            """
    )

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var loggingOptions: LoggingOptions

    @Option(
        name: .customLong("plugin"),
        help: ArgumentHelp("Plugin shared library to load (repeatable).", valueName: "path"))
    var plugins: [String] = []

    func run() throws {
        let loaded = try self.configOptions.load()

        let logControl = LogControl(loaded.config.logging, overrides: self.loggingOptions.overrides)
        LoggingSystem.bootstrap { label in AgentLogHandler(label: label, control: logControl) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(
            DescribedMetricsFactory(
                base: PrometheusMetricsFactory(registry: registry), descriptions: BuildFeatures.metricDescriptions))

        let logger = Logger(label: loaded.config.service.name)
        // The config's `plugins` is refused by the config loader; --plugin here, the same way.
        if !self.plugins.isEmpty && !DynamicLoading.isAvailable {
            logger.critical("cannot start: \(ConfigProblem.pluginsNeedDynamicLoading)")
            throw ExitCode.failure
        }
        let runtime = AgentRuntime(
            config: loaded, configPath: self.configOptions.path, features: BuildFeatures.config,
            recordOutput: BuildFeatures.recordOutput, commandLinePlugins: self.plugins, logControl: logControl,
            metrics: PrometheusExposition(registry: registry), logger: logger)
        do {
            guard try runBlocking({ try await runtime.run() }) == .drained else { throw ExitCode.failure }
        } catch let error as AgentStartupError {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
    }
}
