public import AgentConfiguration
public import Logging
import NIOConcurrencyHelpers

/// The process-wide log level and format, changeable while running (a config reload, the
/// Pod annotation `uservice.dev/log-level`).
///
/// The level in force is the annotation's while it is set, else the command line's, else the
/// config's. ``AgentLogHandler`` reads it on every log call; a level set on one `Logger` value
/// still overrides it for that logger only, as swift-log expects.
public final class LogControl: Sendable {
    /// Choices from the command line, which win over the config's, also after a reload.
    public struct Overrides: Sendable, Equatable {
        public var level: Logger.Level?
        public var format: LoggingConfig.Format?

        public init(level: Logger.Level? = nil, format: LoggingConfig.Format? = nil) {
            self.level = level
            self.format = format
        }
    }

    private struct State {
        var configured: LoggingConfig
        var annotatedLevel: Logger.Level?
        /// What the choices above add up to, read on every log call.
        var effective: LoggingConfig
    }

    private let overrides: Overrides
    private let box: NIOLockedValueBox<State>

    /// - Parameters:
    ///   - configured: the config's `logging` section.
    ///   - overrides: what the command line chose instead.
    public init(_ configured: LoggingConfig, overrides: Overrides = Overrides()) {
        self.overrides = overrides
        self.box = NIOLockedValueBox(
            State(
                configured: configured, annotatedLevel: nil,
                effective: Self.effective(configured, overrides: overrides, annotatedLevel: nil)))
    }

    /// The level and format in force.
    public var settings: LoggingConfig {
        self.box.withLockedValue { $0.effective }
    }

    /// Takes a reloaded config's `logging` section; the command-line overrides still win.
    public func reconfigure(_ configured: LoggingConfig) {
        self.box.withLockedValue { state in
            state.configured = configured
            state.effective = Self.effective(
                configured, overrides: self.overrides, annotatedLevel: state.annotatedLevel)
        }
    }

    /// Sets the level the Pod annotation asks for, which wins over the command line and the
    /// config; nil (the annotation removed) gives them back the say.
    func annotate(level: Logger.Level?) {
        self.box.withLockedValue { state in
            state.annotatedLevel = level
            state.effective = Self.effective(state.configured, overrides: self.overrides, annotatedLevel: level)
        }
    }

    private static func effective(
        _ configured: LoggingConfig,
        overrides: Overrides,
        annotatedLevel: Logger.Level?
    ) -> LoggingConfig {
        LoggingConfig(
            level: annotatedLevel ?? overrides.level ?? configured.level, format: overrides.format ?? configured.format)
    }
}
