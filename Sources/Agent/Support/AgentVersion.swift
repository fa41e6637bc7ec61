/// What this build of the agent is.
package enum AgentVersion {
    /// The agent's release version.
    package static let current = "0.1.0"
}
