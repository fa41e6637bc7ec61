internal import AgentConfiguration
public import Logging
public import UServiceSupport

/// The agent's swift-log backend: one line per event on standard error, as JSON or text.
///
/// Only the executable installs it (`LoggingSystem.bootstrap`); libraries and plugins just log.
/// Level and format come from a shared ``LogControl`` so a config reload changes them live.
public struct AgentLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let control: LogControl
    private let writer: LineWriter
    private var levelOverride: Logger.Level?

    public init(
        label: String,
        control: LogControl,
        writer: LineWriter = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.control = control
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    /// The shared level, unless this logger set its own.
    public var logLevel: Logger.Level {
        get { self.levelOverride ?? self.control.settings.level }
        set { self.levelOverride = newValue }
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
        self.writer.writeLine(self.control.settings.format == .json ? record.json : record.text)
    }
}
