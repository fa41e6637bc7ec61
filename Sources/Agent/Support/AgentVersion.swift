/// What this build of the agent is.
public enum AgentVersion {
    /// The agent's release version.
    public static let current = "0.1.0"
}
