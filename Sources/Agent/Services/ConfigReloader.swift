internal import AgentConfiguration
internal import Logging
import NIOConcurrencyHelpers
internal import UServiceSupport

/// Re-reads the config file on SIGHUP and when the file changes (``ConfigFileWatcher``), and
/// takes the content of the watched ConfigMap (``ConfigMapFollower``). A valid config is
/// applied, except settings that need a restart (listener addresses and ports, tickers,
/// plugins and their thread count, kubernetes, kafka), which are logged and kept; an invalid
/// one is rejected with every positioned error logged, the old config kept.
/// Each outcome is recorded as an Event: `ConfigReloaded` or `ConfigRejected`. Reloads run one
/// at a time; a change of the file or the ConfigMap is acted on once per new content (the
/// same content from the other source, or read again, is left alone); SIGHUP always is.
struct ConfigReloader: Sendable {
    /// Why a reload runs.
    enum Trigger: String, Sendable {
        /// SIGHUP: the operator asks, so the file is applied even when unchanged (and an
        /// unreadable file is reported as a rejected config).
        case signal = "SIGHUP"
        /// The folder of the file changed.
        case fileChanged = "file changed"
        /// The watched ConfigMap changed.
        case configMapChanged = "ConfigMap changed"
    }

    let path: String?
    /// What the build supports, as when the config was first read.
    let features: ConfigFeatures
    /// Plugins from `--plugin`, which a reloaded file does not list.
    let commandLinePlugins: [String]
    let settings: RuntimeSettings
    let logControl: LogControl
    let events: LifecycleEventPublisher
    let logger: Logger
    /// The content last read (applied or rejected): a change of the file to the same content
    /// is not acted on again. Also serializes reloads.
    private let lastSeen: NIOLockedValueBox<[UInt8]>

    init(
        path: String?,
        loadedFrom source: [UInt8],
        features: ConfigFeatures,
        commandLinePlugins: [String],
        settings: RuntimeSettings,
        logControl: LogControl,
        events: LifecycleEventPublisher,
        logger: Logger
    ) {
        self.path = path
        self.lastSeen = NIOLockedValueBox(source)
        self.features = features
        self.commandLinePlugins = commandLinePlugins
        self.settings = settings
        self.logControl = logControl
        self.events = events
        self.logger = logger
    }

    /// A setting whose change a reload can detect.
    private struct Setting: Sendable {
        var name: String
        var differs: @Sendable (AgentConfig, AgentConfig) -> Bool

        init<Value: Equatable & Sendable>(_ name: String, _ keyPath: any KeyPath<AgentConfig, Value> & Sendable) {
            self.name = name
            self.differs = { $0[keyPath: keyPath] != $1[keyPath: keyPath] }
        }
    }

    /// Read only at start: a reload logs a change to them and keeps the running value.
    private static let restartOnly = [
        Setting("health.address", \.health.listener.address), Setting("health.port", \.health.listener.port),
        Setting("health.tickers", \.health.tickers), Setting("server.address", \.server.listener.address),
        Setting("server.port", \.server.listener.port), Setting("server.maxPluginCalls", \.server.maxPluginCalls),
        Setting("plugins", \.plugins), Setting("kubernetes", \.kubernetes), Setting("kafka", \.kafka),
    ]

    /// Applied by a reload: the next request, connection or drain uses them.
    private static let live = [
        Setting("service", \.service), Setting("health", \.health.listener), Setting("server", \.server),
        Setting("lifecycle", \.lifecycle), Setting("logging", \.logging),
    ]

    func reload(_ trigger: Trigger) {
        guard let path = self.path else {
            self.logger.notice("\(trigger.rawValue): running on the built-in defaults, no config file to reload")
            return
        }
        self.lastSeen.withLockedValue { lastSeen in
            let bytes: [UInt8]
            do {
                bytes = try FileContents.bytes(at: path)
            } catch {
                guard trigger == .signal else {
                    // Mid-swap or gone: the file's next change says more.
                    return self.logger.warning(
                        "config reload: cannot read the file", metadata: ["config": "\(path)", "error": "\(error)"])
                }
                // Asked for: an unreadable file is a rejected config, with its reason.
                return self.apply(
                    Result { () throws(ConfigError) in try ConfigLoader.load(file: path, features: self.features) },
                    from: path, trigger: trigger)
            }
            // A change of the file is acted on once; SIGHUP is an explicit request, always served.
            guard trigger == .signal || bytes != lastSeen else { return }
            lastSeen = bytes
            let decoded = Result { () throws(ConfigError) in
                try ConfigLoader.decode(bytes, file: path, features: self.features)
            }
            self.apply(decoded, from: path, trigger: trigger)
        }
    }

    /// Applies the config `content` read from `source` (`configmap/NAME/KEY`, which positions
    /// its errors), unless it is the content last seen.
    func reload(content: [UInt8], from source: String) {
        self.lastSeen.withLockedValue { lastSeen in
            guard content != lastSeen else { return }
            lastSeen = content
            let decoded = Result { () throws(ConfigError) in
                try ConfigLoader.decode(content, file: source, features: self.features)
            }
            self.apply(decoded, from: source, trigger: .configMapChanged)
        }
    }

    /// Reports that `source` holds no config to apply (`reason`); the running config is kept.
    func reject(_ source: String, reason: String) {
        self.logger.error(
            "config rejected, keeping the running config",
            metadata: ["config": "\(source)", "reason": "\(reason)", "trigger": "\(Trigger.configMapChanged.rawValue)"])
        self.events.record(.configRejected, note: "config rejected, running config kept: \(source): \(reason)")
    }

    private func apply(_ decoded: Result<LoadedConfig, ConfigError>, from path: String, trigger: Trigger) {
        let loaded: LoadedConfig
        switch decoded {
        case .success(let config):
            loaded = config
        case .failure(let error):
            for diagnostic in error.diagnostics {
                self.logger.error("config rejected: \(diagnostic)")
            }
            self.logger.error(
                "config rejected, keeping the running config",
                metadata: [
                    "config": "\(path)", "errors": .stringConvertible(error.diagnostics.count),
                    "trigger": "\(trigger.rawValue)",
                ])
            self.events.record(
                .configRejected,
                note: "config rejected, running config kept: "
                    + error.diagnostics.map { "\($0)" }.joined(separator: "; "))
            return
        }
        let current = self.settings.current
        var next = loaded.config
        next.plugins += self.commandLinePlugins
        for setting in Self.restartOnly where setting.differs(current, next) {
            self.logger.warning("config reload: \(setting.name) changes only on restart; keeping the running value")
        }
        next.health.listener.address = current.health.listener.address
        next.health.listener.port = current.health.listener.port
        next.health.tickers = current.health.tickers
        next.server.listener.address = current.server.listener.address
        next.server.listener.port = current.server.listener.port
        next.server.maxPluginCalls = current.server.maxPluginCalls
        next.plugins = current.plugins
        next.kubernetes = current.kubernetes
        next.kafka = current.kafka

        let applied = Self.live.filter { $0.differs(current, next) }.map(\.name)
        self.settings.replace(with: next)
        self.logControl.reconfigure(next.logging)
        self.logger.notice(
            "config reloaded",
            metadata: [
                "config": "\(path)", "changed": "\(applied.joined(separator: ","))", "trigger": "\(trigger.rawValue)",
            ])
        self.events.record(
            .configReloaded,
            note: "config \(path) reloaded; changed: \(applied.isEmpty ? "nothing" : applied.joined(separator: ", "))")
    }
}
