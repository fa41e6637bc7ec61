import CYaml

/// What this build of the agent is.
public enum AgentVersion {
    /// The agent's release version.
    public static let current = "0.1.0"

    /// The version of the libyaml the agent runs with.
    public static var libyaml: String {
        String(cString: yaml_get_version_string())
    }
}
