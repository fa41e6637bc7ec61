package import AgentConfiguration
import HTTPServer
package import Logging
internal import NIOCore
import NIOPosix
internal import ServiceLifecycle
internal import UServiceSupport
import UnixSignals

/// The running agent: binds the health and data listeners, then runs the lifecycle until a
/// drain completes.
///
/// The parts run as services of one `ServiceGroup`: the record output (the Kafka sink, in a
/// build with the `Kafka` trait and a `kafka` section), the Kubernetes Event reporter (in a
/// cluster, with `kubernetes.events`), the Kubernetes watches (in a cluster: the ConfigMap of
/// `kubernetes.configMap`, the Pod with `kubernetes.watchPod`), the config file watcher (with a
/// config file, unless the ConfigMap is watched), the two listeners, the polled health checks,
/// the signal handler and the drain coordinator, whose return shuts the others down.
package struct AgentRuntime: Sendable {
    /// How the agent ended.
    package enum Exit: Sendable, Equatable {
        /// Drained: every request in flight finished.
        case drained
        /// Drained, but the shutdown timeout cut requests in flight.
        case cut
    }

    private let loaded: LoadedConfig
    private let configPath: String?
    private let features: ConfigFeatures
    private let recordOutput: RecordOutputFactory?
    private let commandLinePlugins: [String]
    private let logControl: LogControl
    private let metrics: any MetricsExposition
    private let logger: Logger

    /// - Parameters:
    ///   - config: the validated config to run on.
    ///   - configPath: the file it came from, re-read on SIGHUP; nil for the built-in defaults.
    ///   - features: what the build supports, for reading the config again on SIGHUP.
    ///   - recordOutput: makes the output of the agent's records (Kafka); nil when the build has none.
    ///   - commandLinePlugins: plugins given with `--plugin`, loaded after the config's `plugins`.
    ///   - logControl: the level and format the logging backend uses, updated on reload.
    ///   - metrics: the metrics backend's Prometheus view, served on `/metrics`.
    package init(
        config: LoadedConfig,
        configPath: String?,
        features: ConfigFeatures,
        recordOutput: RecordOutputFactory?,
        commandLinePlugins: [String] = [],
        logControl: LogControl,
        metrics: any MetricsExposition,
        logger: Logger
    ) {
        self.loaded = config
        self.configPath = configPath
        self.features = features
        self.recordOutput = recordOutput
        self.commandLinePlugins = commandLinePlugins
        self.logControl = logControl
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs until drained.
    ///
    /// - Throws: ``AgentStartupError`` when the agent cannot start; errors from the service group.
    package func run() async throws -> Exit {
        // The health port gets event loops of its own: whatever the data port's loops are doing
        // (a flood of connections, a long parse), probes are served by threads of their own,
        // which the kernel schedules beside them.
        let healthLoop = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let exit: Result<Exit, any Error>
        do {
            exit = .success(try await self.run(healthLoop: healthLoop))
        } catch {
            exit = .failure(error)
        }
        try? await healthLoop.shutdownGracefully()
        return try exit.get()
    }

    private func run(healthLoop: MultiThreadedEventLoopGroup) async throws -> Exit {
        let startedAt = ContinuousClock.now
        var config = self.loaded.config
        config.plugins += self.commandLinePlugins
        self.checkFileDescriptorLimit(config)
        let settings = RuntimeSettings(config)
        let lifecycle = LifecycleController()
        let registry = HealthRegistry()
        let tickers = Self.registerChecks(config: config, registry: registry, lifecycle: lifecycle)
        // Trap the signals before anything can be slow, so an early SIGTERM drains, not kills.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)

        let plugins = try PluginSet.load(config.plugins, registry: registry, logger: self.logger)
        let pluginCalls = PluginCallRunner(limit: config.server.maxPluginCalls)
        defer {
            plugins.shutdown(waitingUpTo: .seconds(1), logger: self.logger)
            pluginCalls.shutdown()
        }

        let output = try self.recordOutput?.make(config, settings, registry, self.logger)
        defer { output?.shutdown() }
        let records = output.map { $0 as any RecordSink }

        let httpMetrics = HTTPMetrics()
        let health = try await Self.bind(
            "health", config.health.listener, limits: { settings.current { $0.health.listener.serverLimits } },
            responder: HealthResponder(
                registry: registry, lifecycle: lifecycle, settings: settings, tickers: tickers, metrics: self.metrics),
            metrics: httpMetrics, requestLog: nil, closeAfterResponse: { false }, group: healthLoop)
        let data: HTTPListener
        do {
            data = try await Self.bind(
                "data", config.server.listener, limits: { settings.current { $0.server.listener.serverLimits } },
                responder: DataPlaneResponder(
                    settings: settings, lifecycle: lifecycle, plugins: plugins.byName, pluginCalls: pluginCalls,
                    records: records),
                metrics: httpMetrics, requestLog: AccessLog(logger: Logger(label: "access"), records: records),
                closeAfterResponse: { lifecycle.isDraining }, group: MultiThreadedEventLoopGroup.singleton)
        } catch {
            await health.stopAccepting()
            throw error
        }
        // After binding, so an agent that cannot start says only why.
        let kubernetes: KubernetesIntegration?
        do {
            kubernetes = try KubernetesIntegration.start(config.kubernetes, registry: registry, logger: self.logger)
        } catch {
            await health.stopAccepting()
            await data.stopAccepting()
            throw error
        }
        let events = LifecycleEventPublisher(queue: kubernetes?.events, sink: records)
        events.record(
            .started, note: "uservice \(AgentVersion.current) started with \(self.configPath ?? "built-in defaults")")
        for plugin in plugins.inLoadOrder {
            events.record(.pluginLoaded, note: "plugin \(plugin.name) \(plugin.version) loaded from \(plugin.path)")
        }

        let reloader = ConfigReloader(
            path: self.configPath, loadedFrom: self.loaded.source, features: self.features,
            commandLinePlugins: self.commandLinePlugins, settings: settings, logControl: self.logControl,
            events: events, logger: self.logger)
        // Before startup completes, so /readyz has the watches' checks from its first pass.
        let watches = kubernetes?.watches(
            config.kubernetes, reloader: reloader, logControl: self.logControl, events: events, registry: registry,
            logger: self.logger)
        if kubernetes == nil, let source = config.kubernetes.configMap {
            self.logger.warning(
                "kubernetes.configMap is not watched: Kubernetes features are off",
                metadata: ["configMap": "\(source.name)"])
        }
        if lifecycle.startupCompleted() {
            events.record(.ready, note: "ready: health port \(health.port), data port \(data.port)")
        }
        let startupMilliseconds = (ContinuousClock.now - startedAt).fractionalMilliseconds
        self.logger.notice(
            "ready",
            metadata: [
                "healthPort": .stringConvertible(health.port), "dataPort": .stringConvertible(data.port),
                "startupMs": .stringConvertible(startupMilliseconds),
                "config": "\(self.configPath ?? "built-in defaults")",
            ])

        let outcome = DrainOutcome()
        // Graceful shutdown runs in reverse order: the record output and the Event reporter, first,
        // flush last, once the drain has recorded Stopped and every request's record.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let output, let serviceName = self.recordOutput?.serviceName {
            services.append(.init(service: output, serviceName: serviceName))
        }
        if let reporter = kubernetes?.reporter {
            services.append(.init(service: reporter, serviceName: "kubernetes events"))
        }
        if let watches {
            services.append(.init(service: watches, serviceName: "kubernetes watches"))
        }
        if let path = self.configPath, watches?.followsConfigMap != true {
            // A watcher that cannot watch (no inotify) says so and ends; the agent runs on.
            services.append(
                .init(
                    service: ConfigFileWatcher(path: path, reloader: reloader, logger: self.logger),
                    successTerminationBehavior: .ignore, serviceName: "config file"))
        }
        services += [
            .init(
                service: ListenerService(listener: health, closeTimeout: .seconds(1)), serviceName: "health listener"),
            .init(service: PolledCheckRunner(registry: registry), serviceName: "health checks"),
            .init(
                service: ListenerService(listener: data, closeTimeout: config.lifecycle.shutdownTimeout.duration),
                serviceName: "data listener"),
            .init(
                service: SignalService(
                    lifecycle: lifecycle, reloader: reloader, dataListener: data, logger: self.logger, signals: signals),
                serviceName: "signals"),
            .init(
                service: DrainCoordinator(
                    lifecycle: lifecycle, settings: settings, dataListener: data, events: events, logger: self.logger,
                    outcome: outcome),
                successTerminationBehavior: .gracefullyShutdownGroup,
                serviceName: "drain"),
        ]
        let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: self.logger))
        let ran: Result<Void, any Error>
        do {
            ran = .success(try await serviceGroup.run())
        } catch {
            ran = .failure(error)
        }
        await kubernetes?.calls.shutdown()
        try ran.get()
        return outcome.isClean ? .drained : .cut
    }

    /// Binds one of the two listeners at its configured address.
    ///
    /// - Throws: ``AgentStartupError/cannotBind(listener:address:port:reason:)``.
    private static func bind(
        _ name: String,
        _ config: ListenerConfig,
        limits: @escaping @Sendable () -> HTTPServerLimits,
        responder: any HTTPResponder,
        metrics: HTTPMetrics,
        requestLog: (any HTTPRequestLog)?,
        closeAfterResponse: @escaping @Sendable () -> Bool,
        group: any EventLoopGroup
    ) async throws(AgentStartupError) -> HTTPListener {
        do {
            return try await HTTPListener.bind(
                name: name, address: config.address, port: config.port, limits: limits, responder: responder,
                metrics: metrics, requestLog: requestLog, closeAfterResponse: closeAfterResponse, group: group)
        } catch {
            throw .cannotBind(listener: name, address: config.address, port: config.port, reason: error.reason)
        }
    }

    /// Raises the open-file limit as far as allowed, and warns when it stays below what the
    /// listeners' connection limits can use (plus a margin for the agent's own files).
    private func checkFileDescriptorLimit(_ config: AgentConfig) {
        let needed = config.health.listener.maxConnections + config.server.listener.maxConnections + 64
        guard let limit = FileDescriptorLimit.raiseToHardLimit(), limit < needed else { return }
        self.logger.warning(
            "the open-file limit is below what the connection limits can use: new connections fail past it",
            metadata: ["limit": .stringConvertible(limit), "needed": .stringConvertible(needed)])
    }

    /// The built-in checks: `lifecycle` (readiness: ready, not draining), `started` (startup),
    /// and one per configured watchdog ticker.
    private static func registerChecks(
        config: AgentConfig,
        registry: HealthRegistry,
        lifecycle: LifecycleController
    ) -> [String: Ticker] {
        registry.register("lifecycle", probes: [.readiness]) {
            let state = lifecycle.state
            return state == .ready ? .pass("ready") : .fail(state.rawValue)
        }
        registry.register("started", probes: [.startup]) {
            lifecycle.state == .starting ? .fail("starting") : .pass("started")
        }
        var tickers: [String: Ticker] = [:]
        for tickerConfig in config.health.tickers {
            let ticker = Ticker(margin: tickerConfig.margin.duration)
            tickers[tickerConfig.name] = ticker
            registry.register(tickerConfig.name, probes: Set(tickerConfig.probes)) { ticker.check() }
        }
        return tickers
    }
}
