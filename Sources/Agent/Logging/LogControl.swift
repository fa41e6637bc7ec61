public import AgentConfiguration
public import Logging
import NIOConcurrencyHelpers

/// The process-wide log level and format, changeable while running (SIGHUP reload).
///
/// ``AgentLogHandler`` reads it on every log call; a level set on one `Logger` value still
/// overrides it for that logger only, as swift-log expects.
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

    private let overrides: Overrides
    private let box: NIOLockedValueBox<LoggingConfig>

    /// - Parameters:
    ///   - configured: the config's `logging` section.
    ///   - overrides: what the command line chose instead.
    public init(_ configured: LoggingConfig, overrides: Overrides = Overrides()) {
        self.overrides = overrides
        self.box = NIOLockedValueBox(Self.applying(overrides, to: configured))
    }

    /// The level and format in force.
    public var settings: LoggingConfig {
        self.box.withLockedValue { $0 }
    }

    /// Takes a reloaded config's `logging` section; the command-line overrides still win.
    public func reconfigure(_ configured: LoggingConfig) {
        let effective = Self.applying(self.overrides, to: configured)
        self.box.withLockedValue { $0 = effective }
    }

    private static func applying(_ overrides: Overrides, to configured: LoggingConfig) -> LoggingConfig {
        LoggingConfig(level: overrides.level ?? configured.level, format: overrides.format ?? configured.format)
    }
}
