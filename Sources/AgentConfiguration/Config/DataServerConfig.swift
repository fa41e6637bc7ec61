/// The `server` section: the data-plane listener and its serving functions.
public struct DataServerConfig: Sendable, Equatable {
    /// Where the listener binds and its HTTP limits. Default `0.0.0.0:8080`.
    public var listener: ListenerConfig
    /// The longest simulated work `GET /work?ms=N` accepts. Default 10s.
    public var maxWork: ConfigDuration
    /// How many plugin calls may run at once (each holds a thread of the plugin pool); past it,
    /// `POST /plugins/NAME` answers 503 with `Retry-After`. Read at start. Default 8.
    public var maxPluginCalls: Int
    /// How long a plugin call may take before it is answered 504. The plugin's thread stays
    /// busy until the plugin returns, and counts against `maxPluginCalls` until then. Default 10s.
    public var pluginTimeout: ConfigDuration

    public init(
        listener: ListenerConfig = .server,
        maxWork: ConfigDuration = .seconds(10),
        maxPluginCalls: Int = 8,
        pluginTimeout: ConfigDuration = .seconds(10)
    ) {
        self.listener = listener
        self.maxWork = maxWork
        self.maxPluginCalls = maxPluginCalls
        self.pluginTimeout = pluginTimeout
    }

    init(reading reader: inout ConfigReader, defaults: DataServerConfig) {
        self.listener = ListenerConfig(reading: &reader, defaults: defaults.listener)
        self.maxWork = reader.read(
            "maxWork", .duration, default: defaults.maxWork, "Longest simulated work GET /work accepts.")
        self.maxPluginCalls = reader.read(
            "maxPluginCalls", .integer(in: 1...256, expected: "a number of calls", what: "plugin call limit"),
            default: defaults.maxPluginCalls, "Plugin calls running at once (503 above); read at start.")
        self.pluginTimeout = reader.read(
            "pluginTimeout", .duration, default: defaults.pluginTimeout, "Longest a plugin call may take (504 after).")
    }
}
