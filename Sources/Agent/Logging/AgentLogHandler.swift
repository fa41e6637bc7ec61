import Logging

/// The agent's swift-log backend: one line per event on standard error, as JSON or text.
///
/// Only the executable installs it (`LoggingSystem.bootstrap`); libraries and plugins just log.
public struct AgentLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LoggingConfig.Format
    private let writer: LineWriter

    public init(
        label: String,
        level: Logger.Level,
        format: LoggingConfig.Format,
        writer: LineWriter = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        let record = LogRecord(
            time: .now(), level: event.level, label: self.label, message: event.message.description, metadata: merged)
        self.writer.writeLine(self.format == .json ? record.json : record.text)
    }
}
