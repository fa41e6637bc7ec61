/// What this build and process support, which decides what a config file may ask for.
public struct ConfigFeatures: Sendable, Equatable {
    /// The process can load plugins: a dynamically linked executable, not the static one.
    public var canLoadPlugins: Bool
    /// The build publishes to Kafka (the `Kafka` package trait), so it accepts a `kafka` section.
    public var kafka: Bool

    public init(canLoadPlugins: Bool, kafka: Bool) {
        self.canLoadPlugins = canLoadPlugins
        self.kafka = kafka
    }
}
