import Logging
import NIOConcurrencyHelpers

/// The process-wide log level and format, changeable while running (SIGHUP reload).
///
/// ``AgentLogHandler`` reads it on every log call; a level set on one `Logger` value still
/// overrides it for that logger only, as swift-log expects.
public final class LogControl: Sendable {
    private let box: NIOLockedValueBox<LoggingConfig>

    public init(_ settings: LoggingConfig) {
        self.box = NIOLockedValueBox(settings)
    }

    /// The level and format in force.
    public var settings: LoggingConfig {
        get { self.box.withLockedValue { $0 } }
        set { self.box.withLockedValue { $0 = newValue } }
    }
}
