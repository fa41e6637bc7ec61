public import Logging

/// The `logging` section.
public struct LoggingConfig: Sendable, Equatable {
    /// How log lines are written.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line, for log collectors.
        case json
        /// `TIME LEVEL LABEL: message key=value`, for people.
        case text
    }

    /// The lowest level written. Default `info`.
    public var level: Logger.Level
    /// Default `json`.
    public var format: Format

    public init(level: Logger.Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }

    init(reading reader: inout ConfigReader, defaults: LoggingConfig) {
        self.level = reader.read("level", .choice, default: defaults.level, "Lowest level written.")
        self.format = reader.read("format", .choice, default: defaults.format, "json or text.")
    }
}
