import NIOConcurrencyHelpers

/// The config in force, shared by every part of the running agent. A SIGHUP reload replaces it;
/// readers take a snapshot when they need one (per request, per connection, per drain).
public final class RuntimeSettings: Sendable {
    private let box: NIOLockedValueBox<AgentConfig>

    public init(_ config: AgentConfig) {
        self.box = NIOLockedValueBox(config)
    }

    /// The config in force now.
    public var current: AgentConfig {
        self.box.withLockedValue { $0 }
    }

    /// Replaces the config in force.
    public func replace(with config: AgentConfig) {
        self.box.withLockedValue { $0 = config }
    }
}
