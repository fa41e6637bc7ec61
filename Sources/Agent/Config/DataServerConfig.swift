/// The `server` section: the data-plane listener and its serving functions.
public struct DataServerConfig: Sendable, Equatable {
    /// Where the listener binds and its HTTP limits. Default `0.0.0.0:8080`.
    public var listener: ListenerConfig
    /// The longest simulated work `GET /work?ms=N` accepts. Default 10s.
    public var maxWork: ConfigDuration

    public init(listener: ListenerConfig = .server, maxWork: ConfigDuration = .seconds(10)) {
        self.listener = listener
        self.maxWork = maxWork
    }

    init(reading reader: inout ConfigReader, defaults: DataServerConfig) {
        self.listener = ListenerConfig(reading: &reader, defaults: defaults.listener)
        self.maxWork = reader.read(
            "maxWork", .duration, default: defaults.maxWork, "Longest simulated work GET /work accepts.")
    }
}
