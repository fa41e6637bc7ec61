import Agent
import AgentConfiguration

#if Kafka
import KafkaOutput
#endif

/// What this build of the executable has: the one place that asks for the `Kafka` package
/// trait, whose target (`KafkaOutput`) is linked only with it.
enum BuildFeatures {
    /// What a config file may ask for in this build and process.
    static var config: ConfigFeatures {
        ConfigFeatures(canLoadPlugins: DynamicLoading.isAvailable, kafka: recordOutput != nil)
    }

    /// The output that publishes the agent's records; nil in a build without Kafka.
    static var recordOutput: RecordOutputFactory? {
        #if Kafka
        KafkaSink.factory
        #else
        nil
        #endif
    }

    /// Help text of every metric the agent records in this build, by name.
    static var metricDescriptions: [String: String] {
        #if Kafka
        AgentRuntime.metricDescriptions.merging(KafkaSink.metricDescriptions) { first, _ in first }
        #else
        AgentRuntime.metricDescriptions
        #endif
    }

    /// The version of the librdkafka the agent runs with; nil in a build without Kafka.
    static var librdkafkaVersion: String? {
        #if Kafka
        KafkaSink.librdkafkaVersion
        #else
        nil
        #endif
    }
}
