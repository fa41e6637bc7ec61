import CYaml

#if Kafka
import CRdKafka
#endif

/// What this build of the agent is.
public enum AgentVersion {
    /// The agent's release version.
    public static let current = "0.1.0"

    /// The version of the libyaml the agent runs with.
    public static var libyaml: String {
        String(cString: yaml_get_version_string())
    }

    /// The version of the librdkafka the agent runs with; nil in a build without the `Kafka` trait.
    public static var librdkafka: String? {
        #if Kafka
        String(cString: rd_kafka_version_str())
        #else
        nil
        #endif
    }
}
