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
/// same content from the other source, or read again, is left alone); SIGHUP always is, and
/// applies the watched ConfigMap's latest content when there is one, else the file.
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
    private struct State {
        /// The content last read (applied or rejected): a change to the same content is not
        /// acted on again.
        var lastSeen: [UInt8]
        /// The watched ConfigMap's latest content, which a SIGHUP applies instead of the file.
        var followed: (source: String, content: [UInt8])?
    }

    /// Also serializes reloads.
    private let state: NIOLockedValueBox<State>

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
        self.state = NIOLockedValueBox(State(lastSeen: source))
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
        self.state.withLockedValue { state in
            if trigger == .signal, let followed = state.followed {
                // The watched ConfigMap is where the config lives; the file may lag behind it.
                state.lastSeen = followed.content
                return self.apply(Self.decode(followed.content, from: followed.source, self.features), trigger: trigger)
            }
            guard let path = self.path else {
                return self.logger.notice(
                    "\(trigger.rawValue): running on the built-in defaults, no config file to reload")
            }
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
                    (
                        path,
                        Result { () throws(ConfigError) in try ConfigLoader.load(file: path, features: self.features) }
                    ),
                    trigger: trigger)
            }
            // A change of the file is acted on once; SIGHUP is an explicit request, always served.
            guard trigger == .signal || bytes != state.lastSeen else { return }
            state.lastSeen = bytes
            self.apply(Self.decode(bytes, from: path, self.features), trigger: trigger)
        }
    }

    /// Applies the config `content` read from `source` (`configmap/NAME/KEY`, which positions
    /// its errors), unless it is the content last seen; a SIGHUP applies it again from now on.
    func reload(content: [UInt8], from source: String) {
        self.state.withLockedValue { state in
            state.followed = (source, content)
            guard content != state.lastSeen else { return }
            state.lastSeen = content
            self.apply(Self.decode(content, from: source, self.features), trigger: .configMapChanged)
        }
    }

    private static func decode(
        _ content: [UInt8],
        from source: String,
        _ features: ConfigFeatures
    ) -> (source: String, config: Result<LoadedConfig, ConfigError>) {
        (
            source,
            Result { () throws(ConfigError) in try ConfigLoader.decode(content, file: source, features: features) }
        )
    }

    /// Reports that `source` holds no config to apply (`reason`); the running config is kept,
    /// and a SIGHUP reads the file again until `source` has content.
    func reject(_ source: String, reason: String) {
        self.state.withLockedValue { $0.followed = nil }
        self.logger.error(
            "config rejected, keeping the running config",
            metadata: ["config": "\(source)", "reason": "\(reason)", "trigger": "\(Trigger.configMapChanged.rawValue)"])
        self.events.record(.configRejected, note: "config rejected, running config kept: \(source): \(reason)")
    }

    private func apply(_ decoded: (source: String, config: Result<LoadedConfig, ConfigError>), trigger: Trigger) {
        let path = decoded.source
        let loaded: LoadedConfig
        switch decoded.config {
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
        let needRestart = Self.restartOnly.filter { $0.differs(current, next) }.map(\.name)
        for setting in needRestart {
            self.logger.warning("config reload: \(setting) changes only on restart; keeping the running value")
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
        let restart = needRestart.isEmpty ? "" : "; a restart is needed for: \(needRestart.joined(separator: ", "))"
        self.events.record(
            .configReloaded,
            note: "config \(path) reloaded; changed: \(applied.isEmpty ? "nothing" : applied.joined(separator: ", "))"
                + restart)
    }
}
