/// The `lifecycle` section: how the agent drains before it exits.
public struct LifecycleConfig: Sendable, Equatable {
    /// How long the data port keeps serving after draining starts, so endpoints and load
    /// balancers stop sending traffic first. Default 5s.
    public var drainDelay: ConfigDuration
    /// How long to wait for in-flight requests after the drain delay before exiting anyway.
    /// Default 20s, so both fit Kubernetes' default 30s termination grace period.
    public var shutdownTimeout: ConfigDuration

    public init(drainDelay: ConfigDuration = .seconds(5), shutdownTimeout: ConfigDuration = .seconds(20)) {
        self.drainDelay = drainDelay
        self.shutdownTimeout = shutdownTimeout
    }

    init(reading reader: inout ConfigReader, defaults: LifecycleConfig) {
        self.drainDelay = reader.read(
            "drainDelay", .duration, default: defaults.drainDelay,
            "How long the data port keeps serving once draining starts.")
        self.shutdownTimeout = reader.read(
            "shutdownTimeout", .duration, default: defaults.shutdownTimeout,
            "How long to wait for in-flight requests after the drain delay.")
    }
}
