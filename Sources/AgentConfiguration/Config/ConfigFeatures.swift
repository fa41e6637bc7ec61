/// What this build and process support, which decides what a config file may ask for.
public struct ConfigFeatures: Sendable, Equatable {
    /// The process can load plugins (``DynamicLoading/isAvailable``: not the static executable).
    public var canLoadPlugins: Bool
    /// The build publishes to Kafka (the `Kafka` package trait), so it accepts a `kafka` section.
    public var kafka: Bool

    public init(canLoadPlugins: Bool = DynamicLoading.isAvailable, kafka: Bool) {
        self.canLoadPlugins = canLoadPlugins
        self.kafka = kafka
    }
}
